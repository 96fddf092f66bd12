@projection @needs_publish_raw @needs_database @needs_faults @destructive @B-P08
Feature: Replaying a projection's subscription rebuilds an identical projection
  An operator MUST be able to rebuild a read model from the events: empty the projection and its
  consumer's inbox, seek the consumer's subscription back to a time, and let the consumer apply
  everything again. The result MUST equal the projection before the rebuild. The rebuild is the
  reference's operator tool (python -m reference_impl.redrive rebuild), run with the target's
  database and broker; it empties the whole projection, so the scenario is destructive. The rows
  are compared as stored in profile.videos_projection (contracts/sql), column by column.

  Scenario: rebuilding the profile videos projection from a replay gives the same rows
    Given three videos with a history of created, updated and deleted events in the profile read model
    When the operator rebuilds the "profile-videos" projection from a replay since before those events
    Then within 20 seconds the profile service shows the three videos exactly as before the rebuild
