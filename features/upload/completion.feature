@upload @needs_grpc @creates_own @needs_storage @needs_observe_events
Feature: Bytes written through the session URL complete the upload
  When the client writes the declared file through its session URL, storage reports the stored
  object (OBJECT_FINALIZE, which carries no event_id attribute) and the catalog MUST then mark the
  upload completed, create the video in status "processing" pointing at the stored object, and
  publish "catalog.video.created" followed by "catalog.video.updated" for it on
  catalog.video.events, ordered by the video id, with every required attribute.

  Background:
    Given a signed-in user
    And the user has initialised an upload of a new 1 MiB "video/mp4" file

  @B-U08 @B-U09 @B-U17 @B-O01 @B-X03
  Scenario Outline: an upload written <how> completes
    When the user writes the file through the session URL <how>
    Then storage stores the object with the file's MD5 and size
    And within 15 seconds the user's upload is "completed" with a video in status "processing"
    And the video's raw file reference is "gs://<bucket>/raw_videos/<user id>/<video id>"
    And within 15 seconds the video's events are exactly "catalog.video.created" then "catalog.video.updated"

    Examples:
      | how                  |
      | in one request       |
      | in chunks of 256 KiB |

  @B-U12
  Scenario: initialising a completed upload again is refused
    Given the user has written the file through the session URL and the upload completed
    When the user initialises an upload of the same file
    Then the call fails with ABORTED and reason "ERROR_REASON_UPLOAD_ALREADY_COMPLETED"

  @B-U10 @needs_faults
  Scenario: the same notification delivered three times has one effect
    Given every storage notification is delivered 3 times
    When the user writes the file through the session URL in one request
    Then within 15 seconds the user's upload is "completed" with a video in status "processing"
    And within 15 seconds every copy of the notification has been acknowledged
    And within 15 seconds the video's events are exactly "catalog.video.created" then "catalog.video.updated"
