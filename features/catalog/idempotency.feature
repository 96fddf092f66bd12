@catalog @needs_grpc @creates_own @B-C12
Feature: A write repeated with its idempotency key has its effect once
  Every CatalogLifecycleService RPC accepts the metadata "x-md-idempotency-key". A call repeating
  a key with the same request within 24 hours MUST get the first call's answer and change nothing;
  the same key with another request MUST fail with INVALID_ARGUMENT and reason
  ERROR_REASON_IDEMPOTENCY_KEY_REUSED. After 24 hours the key is forgotten. Concurrent calls with
  one key MUST have one effect.

  Scenario: a registration repeated with its key returns the first answer and registers once
    When the pipeline registers an upload with idempotency key "reg-1"
    And the pipeline repeats that registration with the same key
    Then both answers are the same
    And the uploader has exactly 1 video

  Scenario: an archive repeated with its key returns the first answer instead of ABORTED
    Given a video registered by the pipeline
    When the pipeline archives the video with idempotency key "arch-1"
    And the pipeline archives the video with idempotency key "arch-1"
    Then both answers are the same
    And the video is "archived" at version 2

  Scenario: the same key with another request is refused and changes nothing
    When the pipeline registers an upload with idempotency key "reg-2"
    And the pipeline registers another upload for the same uploader with the same key
    Then the call fails with INVALID_ARGUMENT and reason "ERROR_REASON_IDEMPOTENCY_KEY_REUSED"
    And the uploader has exactly 1 video

  Scenario: ten simultaneous registrations with one key register one video
    When the pipeline sends the same registration with idempotency key "reg-3" 10 times at once
    Then all 10 answers are the same
    And the uploader has exactly 1 video

  @needs_clock
  Scenario: a key is forgotten after 24 hours
    When the pipeline registers an upload with idempotency key "reg-4"
    And the service's clock moves 86401 seconds forward
    And the pipeline repeats that registration with the same key
    Then the answers name different videos
    And the uploader has exactly 2 videos
