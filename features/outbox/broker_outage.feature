@outbox @needs_database @needs_observe_events @needs_faults @destructive @B-O04 @B-O09
Feature: A broker outage loses nothing and keeps the order
  While the broker refuses publishes, committed events MUST stay in the outbox, each failed
  attempt recorded; when the broker is back, the backlog MUST drain completely, each aggregate in
  version order, the failed event first (its ordering key resumes). The outage is made with the
  broker stand-in's fault controls; the changes are written to the catalog outbox through the
  database capability and published by the target's own relay.

  Scenario: events committed during an outage arrive in order after it
    Given the broker refuses every publish to "catalog.video.events"
    When a change committed to the "catalog" outbox enqueues versions 1 to 3 of a video
    Then within 10 seconds the relay has recorded a failed attempt for version 1 of the video
    And nothing of the video has been published
    When the broker accepts publishes again
    Then within 15 seconds the video's versions 1, 2, 3 arrive on "catalog.video.events", each as one logical event
