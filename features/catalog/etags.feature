@catalog @needs_grpc @creates_own @B-C11
Feature: Reads carry an ETag that changes exactly when the video's version does
  GetVideoMetadata and GetVideoDetail MUST send response metadata "etag". A read whose
  "x-md-if-none-match" names the current ETag MUST fail with FAILED_PRECONDITION and reason
  ERROR_REASON_NOT_MODIFIED (gRPC's form of HTTP 304), carrying the same ETag. The ETag MUST stay
  the same while the version stays, and change when the version changes.

  Background:
    Given a video registered by the pipeline

  Scenario: reading again with the ETag received is NOT_MODIFIED
    When the owner reads the video's metadata
    And the owner reads the video's metadata again with the ETag received
    Then the call fails with FAILED_PRECONDITION and reason "ERROR_REASON_NOT_MODIFIED"
    And the answer carries the same ETag

  Scenario: the ETag stays while the version stays, and a change gives a new ETag
    When the owner reads the video's metadata
    And the owner reads the video's metadata
    Then both reads carry the same ETag
    When job "job-1" reports the media stage "processing"
    And the owner reads the video's metadata again with the first ETag
    Then the call succeeds with version 2 and an ETag other than the first

  Scenario: the detail of a published video is NOT_MODIFIED with its ETag
    Given the pipeline has made the video ready and published it
    When another user reads the video's detail
    And another user reads the video's detail again with the ETag received
    Then the call fails with FAILED_PRECONDITION and reason "ERROR_REASON_NOT_MODIFIED"
