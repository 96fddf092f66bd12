@upload @creates_own @needs_publish_raw
Feature: A notification for an object no session knows is acknowledged and ignored
  Storage may report objects the catalog did not sign for (other writers of the bucket). The
  uploads consumer MUST acknowledge such a notification at the first delivery and change nothing.

  @B-U15 @needs_faults
  Scenario: a finalize for an unknown object is acknowledged at once
    When storage reports an object no upload session knows
    Then within 15 seconds that notification is acknowledged without a retry

  @B-U15 @needs_grpc @needs_observe_events @needs_storage_or_publish_raw
  Scenario: a finalize for an object no session knows changes nothing
    Given a signed-in user
    And the user has initialised an upload of a new 1 MiB "video/mp4" file
    When storage reports an object in the user's folder that no upload session knows
    And the user's file is stored through the session URL
    Then within 15 seconds the user's upload is "completed" with a video in status "processing"
    And the stray object created no video and no upload
