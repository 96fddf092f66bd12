@upload @needs_grpc @creates_own @needs_observe_events
Feature: A stored file completes the upload
  When the file the client declared is stored as the session's object, storage reports it
  (OBJECT_FINALIZE, which carries no event_id attribute) and the catalog MUST then mark the upload
  completed, create the video in status "processing" pointing at the stored object, and publish
  "catalog.video.created" followed by "catalog.video.updated" for it on catalog.video.events,
  ordered by the video id, with every required attribute. The file is stored through the session
  URL where the target offers storage; otherwise storage's report is published as Cloud Storage
  publishes it, so the same scenarios run against a deployment without storage access.

  Background:
    Given a signed-in user
    And the user has initialised an upload of a new 1 MiB "video/mp4" file

  @B-U08 @B-U09 @B-U17 @B-O01 @B-X03 @needs_storage_or_publish_raw
  Scenario: a stored file completes the upload
    When the user's file is stored through the session URL
    Then within 15 seconds the user's upload is "completed" with a video in status "processing"
    And the video's raw file reference is "gs://<bucket>/raw_videos/<user id>/<video id>"
    And within 15 seconds the video's events are exactly "catalog.video.created" then "catalog.video.updated"

  @B-U08 @B-U09 @needs_storage
  Scenario Outline: an upload written <how> is stored whole and completes
    When the user writes the file through the session URL <how>
    Then storage stores the object with the file's MD5 and size
    And within 15 seconds the user's upload is "completed" with a video in status "processing"
    And within 15 seconds the video's events are exactly "catalog.video.created" then "catalog.video.updated"

    Examples:
      | how                  |
      | in one request       |
      | in chunks of 256 KiB |

  @B-U12 @needs_storage_or_publish_raw
  Scenario: initialising a completed upload again is refused
    Given the user's file has been stored and the upload completed
    When the user initialises an upload of the same file
    Then the call fails with ABORTED and reason "ERROR_REASON_UPLOAD_ALREADY_COMPLETED"

  @B-U10 @needs_publish_raw @needs_storage_or_publish_raw
  Scenario: the same object reported three times has one effect
    When the user's file is stored and storage reports it 3 times
    Then within 15 seconds the user's upload is "completed" with a video in status "processing"
    And after a later change of the video, its events before that change's are exactly "catalog.video.created" then "catalog.video.updated"

  @B-U10 @needs_storage @needs_faults
  Scenario: the same notification delivered three times by the broker has one effect
    Given every storage notification is delivered 3 times
    When the user writes the file through the session URL in one request
    Then within 15 seconds the user's upload is "completed" with a video in status "processing"
    And within 15 seconds every copy of the notification has been acknowledged
    And within 15 seconds the video's events are exactly "catalog.video.created" then "catalog.video.updated"
