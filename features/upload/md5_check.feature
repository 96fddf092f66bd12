@upload @needs_grpc @creates_own
Feature: The stored object must be the declared file
  The catalog MUST compare the MD5 storage reports with the one declared at Init. On a mismatch the
  upload fails with "MD5_MISMATCH", no video is created and no event is published; a later report
  of a stored object with the declared MD5 completes the same session. An object without an MD5
  (composite objects have none) is not a mismatch. Objects are stored through the session URL
  where the target offers storage, otherwise reported as Cloud Storage reports them.

  Background:
    Given a signed-in user
    And the user has initialised an upload of a new 1 MiB "video/mp4" file

  @B-U11 @needs_storage_or_publish_raw
  Scenario: other bytes than declared fail the upload and create nothing
    When other bytes than declared are stored through the session URL
    Then within 15 seconds the user's upload is "failed" with error "MD5_MISMATCH"
    And the video does not exist

  @B-U11 @needs_publish_raw @needs_storage_or_publish_raw @needs_observe_events
  Scenario: a later stored object with the declared MD5 completes the failed session
    Given other bytes than declared have been stored and the upload failed
    When storage reports a new generation of the object with the declared MD5
    Then within 15 seconds the user's upload is "completed" with a video in status "processing"
    And within 15 seconds the video's events are exactly "catalog.video.created" then "catalog.video.updated"

  @B-U16 @needs_publish_raw
  Scenario: an object reported without an MD5 is not a mismatch
    When storage reports the object stored without an MD5 hash
    Then within 15 seconds the user's upload is "completed" with a video in status "processing"
