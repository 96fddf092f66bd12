@outbox @needs_database @needs_observe_events @destructive
Feature: Every committed change is published once, and a rolled-back one never
  A change a service commits MUST reach its topic as exactly one logical event (duplicates keep
  the event_id) carrying every attribute of the contract, the aggregate id as ordering key and a
  payload of the contract's type; a change that is rolled back MUST publish nothing; one
  aggregate's events MUST arrive in version order.

  How the change is made: these scenarios write the catalog's outbox rows in one transaction, as
  contracts/sql (outbox_inbox.sql.tmpl) says a service's unit of work does, through the database
  capability; the target's own relay publishes them. Only a table write can show a rollback after
  the outbox row was written, and a change of a version an RPC cannot produce. The rows go into the
  target's own outbox, so its real consumers receive these synthetic events: destructive.
  changes_through_rpcs.feature shows the same rules through the services' RPCs.

  @B-O01 @B-X03
  Scenario: a committed change produces exactly one logical event with the contract's attributes
    When a change committed to the "catalog" outbox enqueues version 1 of a video
    Then within 10 seconds the video's versions 1 arrive on "catalog.video.events", each as one logical event
    And every event of the video carries the seven required attributes and the video id as ordering key

  @B-O02
  Scenario: a rolled-back change produces nothing
    When a change to the "catalog" outbox enqueues version 1 of a video and is rolled back
    And a change committed to the "catalog" outbox enqueues version 2 of the video
    Then within 10 seconds the video's versions 2 arrive on "catalog.video.events", each as one logical event

  @B-O03
  Scenario: one aggregate's events arrive in version order
    When a change committed to the "catalog" outbox enqueues versions 1 to 6 of a video
    Then within 10 seconds the video's versions 1, 2, 3, 4, 5, 6 arrive on "catalog.video.events", each as one logical event
