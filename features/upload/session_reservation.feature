@upload @needs_grpc @creates_own @B-U01 @B-U02
Feature: Initialising an upload reserves a session and signs its URL
  A signed-in user who declares a file MUST receive a new video id (a UUID) and a V4-signed URL for
  exactly the object raw_videos/<user id>/<video id>. The signature MUST bind the headers the
  client has to send, and the URL MUST expire when the response says, in the future — and no later
  than the contract's session lifetime (`gcs.signed_url_ttl`, 900 seconds) after it was signed.

  Background:
    Given a signed-in user

  Scenario: a first call reserves a video id and signs a resumable session URL
    When the user initialises an upload of a new 5 MiB "video/mp4" file
    Then the call succeeds
    And the video id is a UUID
    And the session URL is V4-signed for the object "raw_videos/<user id>/<video id>"
    And the session URL binds the headers "x-goog-resumable", "x-goog-if-generation-match" and "x-upload-content-type"
    And the session URL expires when the response says, in the future
    And the session URL lives no longer than 900 seconds
