@upload @creates_own @needs_publish_raw @needs_faults
Feature: A notification for an object no session knows is acknowledged and ignored
  Storage may report objects the catalog did not sign for (other writers of the bucket). The
  uploads consumer MUST acknowledge such a notification at the first delivery and change nothing.

  @B-U15
  Scenario: a finalize for an unknown object is acknowledged at once
    When storage reports an object no upload session knows
    Then within 15 seconds that notification is acknowledged without a retry
