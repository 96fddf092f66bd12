@catalog @needs_grpc @creates_own
Feature: The processing pipeline moves a video's stages, and the overall status follows
  Each stage (media, analysis) moves pending → processing → ready | failed. The overall status MUST
  follow: a failed stage fails the video, an unfinished stage keeps it "processing", both ready make
  it "ready". A change older than the last one recorded for the stage, or from another job without
  a newer emitted_at, or from a caller expecting another current status, MUST be ABORTED and change
  nothing.

  Background:
    Given a video registered by the pipeline

  @B-C03
  Scenario Outline: media <media> and analysis <analysis> make the video <status>
    When job "job-1" reports the media stage "<media>"
    And job "job-2" reports the analysis stage "<analysis>"
    Then the video is "<status>"

    Examples:
      | media      | analysis   | status     |
      | processing | pending    | processing |
      | ready      | processing | processing |
      | ready      | ready      | ready      |
      | ready      | failed     | failed     |

  @B-C02
  Scenario: a change older than the last recorded one is refused
    When job "job-1" reports the media stage "processing" at "2026-01-01T10:00:00Z"
    And job "job-1" reports the media stage "ready" at "2026-01-01T09:00:00Z"
    Then the call fails with ABORTED and reason "ERROR_REASON_VIDEO_UPDATE_INVALID"
    And the video's media stage is "processing"

  @B-C02
  Scenario: another job without a newer change is refused
    When job "job-1" reports the media stage "processing" at "2026-01-01T10:00:00Z"
    And job "job-2" reports the media stage "failed" at "2026-01-01T10:00:00Z"
    Then the call fails with ABORTED and reason "ERROR_REASON_VIDEO_UPDATE_INVALID"
    And the video's media stage is "processing"

  @B-C02
  Scenario: a change expecting another current status is refused
    When job "job-1" reports the media stage "ready" expecting it to be "processing"
    Then the call fails with ABORTED and reason "ERROR_REASON_VIDEO_UPDATE_INVALID"
    And the video's media stage is "pending"

  @B-X04
  Scenario: a stage status outside the four is invalid
    When job "job-1" reports the media stage "done"
    Then the call fails with INVALID_ARGUMENT and reason "ERROR_REASON_VIDEO_UPDATE_INVALID"

  @B-C04 @needs_observe_events
  Scenario: a stage change is announced with only the fields that changed
    When job "job-1" reports the media stage "processing"
    Then within 15 seconds the video's latest "catalog.video.updated" carries exactly status "processing" and media_status "processing"

  @B-C04
  Scenario: a report that changes nothing consumers see announces nothing
    When job "job-1" reports the media stage "processing"
    And job "job-1" reports the media stage "processing"
    Then the call succeeds without announcing an event
