@catalog @needs_grpc @creates_own
Feature: Writers that name the version they saw are refused when it moved on
  Every lifecycle update MAY carry expected_version; when it does and the video is at another
  version, the update MUST be ABORTED and change nothing. Every applied update increments the
  version by one. Archiving makes the video archived and private; archiving it again is ABORTED.

  Background:
    Given a video registered by the pipeline

  @B-C06
  Scenario: an update naming the current version applies and increments it
    When the pipeline archives the video expecting version 1
    Then the call succeeds
    And the video is "archived" at version 2

  @B-C06
  Scenario: an update naming an old version is refused
    When job "job-1" reports the media stage "processing"
    And the pipeline archives the video expecting version 1
    Then the call fails with ABORTED and reason "ERROR_REASON_VIDEO_UPDATE_INVALID"
    And the video is "processing" at version 2

  @B-C07
  Scenario: archiving twice is refused
    When the pipeline archives the video
    And the pipeline archives the video
    Then the call fails with ABORTED and reason "ERROR_REASON_VIDEO_UPDATE_INVALID"

  @B-C08
  Scenario: an unknown video is NOT_FOUND
    When the pipeline archives a video that does not exist
    Then the call fails with NOT_FOUND and reason "ERROR_REASON_VIDEO_NOT_FOUND"
