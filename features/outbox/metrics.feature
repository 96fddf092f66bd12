@outbox @projection @needs_rest @needs_database @needs_publish_raw @needs_observe_events @destructive @creates_own @B-O10 @B-P11
Feature: The relay and the consumers report their work as metrics
  The target MUST expose, in Prometheus text format on its REST surface (/metrics), the relay's
  outbox_publish_success_total, outbox_publish_failure_total, outbox_publish_latency_ms,
  outbox_backlog and outbox_parked per schema, and each consumer's inbox_lag_seconds per
  subscription.

  Scenario: a published and consumed event shows in the metrics
    Given the target's metrics so far
    When a change committed to the "catalog" outbox enqueues version 1 of a video
    Then within 10 seconds the video's versions 1 arrive on "catalog.video.events", each as one logical event
    And within 10 seconds the metrics show 1 more success for schema "catalog" and the other relay metrics
    And within 10 seconds the metrics show the lag of subscription "catalog.video.events.profile-inbox"
