@outbox @needs_database @needs_observe_events @needs_faults @destructive @creates_own @B-O11
Feature: Relays survive crashes, stalls and failing brokers without losing or reordering events
  Any relay honouring the outbox contract MUST publish rows written per contracts/sql into a table
  rendered from the template for any schema. Each scenario renders the template into a fresh
  schema and runs the reference's relays on it as separate processes (python -m
  reference_impl.entrypoints.outbox_relay), with the fault switches a scenario names; rows are
  written through the database capability, the broker is broken through its fault controls.

  @B-O03
  Scenario: with two relays competing, each aggregate's events still arrive in version order
    Given an outbox table rendered from the contract into a fresh schema
    And 2 relays of that schema claiming 1 event at a time
    When a change committed to that outbox enqueues versions 1 to 5 of each of 4 videos
    Then within 20 seconds each of the videos' versions 1, 2, 3, 4, 5 arrive on "catalog.video.events", each as one logical event

  @B-O05 @B-P03 @needs_grpc
  Scenario: a relay killed after publishing and before marking causes a duplicate, not a second effect
    Given a ready catalog video and a viewer
    And an outbox table rendered from the contract into a fresh schema
    And a relay of that schema publishing to "profile.engagement.events" that crashes after its first publish
    When a change committed to that outbox records a viewer watching the video
    Then within 10 seconds the crashed relay has exited
    When a relay of that schema publishing to "profile.engagement.events" starts with a lock TTL of 1 second
    Then within 15 seconds the watch event arrives twice on "profile.engagement.events" with the same event_id
    When a change committed to that outbox records another viewer watching the video
    Then within 10 seconds catalog shows the video with 2 watches by 2 unique watchers

  @B-O06
  Scenario: a lease held by a stalled relay is taken over after the lock TTL, and the stalled relay cannot mark
    Given an outbox table rendered from the contract into a fresh schema
    And a relay of that schema that stalls for 8 seconds after claiming
    When a change committed to that outbox enqueues version 1 of a video
    Then within 10 seconds version 1 of the video is claimed
    When a relay of that schema starts with a lock TTL of 1 second
    Then within 10 seconds the video's versions 1 arrive on "catalog.video.events", each as one logical event
    And within 20 seconds the stalled relay reports 1 settle refused by the lease fence
    And version 1 of the video is published with 1 recorded delivery attempt

  @B-O06
  Scenario: a relay killed right after its claim holds the aggregate for seconds, not minutes
    Given an outbox table rendered from the contract into a fresh schema
    And a relay of that schema that dies right after its first claim
    When a change committed to that outbox enqueues versions 1 to 3 of a video
    Then within 10 seconds the crashed relay has exited
    When a relay of that schema starts with the default lock TTL
    Then within 15 seconds the video's versions 1, 2, 3 arrive on "catalog.video.events", each as one logical event

  @B-O07 @destructive
  Scenario: retry delays double from the initial backoff up to the cap
    Given an outbox table rendered from the contract into a fresh schema
    And the broker refuses every publish to "catalog.video.events"
    And a relay of that schema retrying after 0.4 seconds, doubling up to 1.6 seconds
    When a change committed to that outbox enqueues version 1 of a video
    Then the relay retries version 1 after 0.4, 0.8, 1.6 and 1.6 seconds, recording each failure

  @B-O08 @B-O10 @B-O12
  Scenario: an event that used up its attempts is parked, reported, holds back its successors and is re-driven
    Given an outbox table rendered from the contract into a fresh schema
    And the broker refuses every publish to "catalog.video.events"
    And a relay of that schema that parks an event after 3 attempts
    When a change committed to that outbox enqueues versions 1 to 2 of a video
    Then within 10 seconds version 1 of the video is parked after 3 attempts
    And within 5 seconds the relay reports 1 parked event
    When the broker accepts publishes again
    Then version 2 of the video is still unpublished
    When an operator re-drives the video's events in that outbox
    Then within 10 seconds the video's versions 1, 2 arrive on "catalog.video.events", each as one logical event

  @B-O08 @B-O10 @B-O12
  Scenario: an event the broker refuses for good is parked at once and does not hold back its successors
    Given an outbox table rendered from the contract into a fresh schema
    And a relay of that schema with the default retry settings
    When a change committed to that outbox enqueues version 1 of a video carrying an attribute value of 2000 bytes
    And a change committed to that outbox enqueues versions 2 to 3 of the video
    Then within 10 seconds version 1 of the video is parked after 1 attempt, the broker's refusal recorded
    And within 10 seconds the video's versions 2, 3 arrive on "catalog.video.events", each as one logical event
    When an operator re-drives the video's events in that outbox
    Then within 10 seconds version 1 of the video is parked after 1 attempt, the broker's refusal recorded
