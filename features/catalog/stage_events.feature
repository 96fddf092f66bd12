@catalog @needs_grpc @creates_own @B-C04 @needs_observe_events @B-X03
Feature: Stage milestones are announced as their own events
  Beside "catalog.video.updated", the catalog MUST emit "catalog.video.media_ready" when the media
  stage becomes ready, "catalog.video.ai_enriched" when the analysis stage becomes ready, and
  "catalog.video.processing_failed" when a stage becomes failed — each with a payload valid
  against contracts/events, at the version of the change. A report that changes no stage status
  MUST emit none of them.

  Background:
    Given a video registered by the pipeline

  Scenario: media results making the media stage ready are announced as media_ready
    When job "job-1" reports media results of 42000000 µs with thumbnail "https://cdn.example/t.jpg", status "ready"
    Then within 15 seconds the video has 1 "catalog.video.media_ready" at the version of that change, with media_status "ready"

  Scenario: analysis results making the analysis stage ready are announced as ai_enriched
    When job "job-2" reports analysis results of difficulty "B1" with tags "travel, food", status "ready"
    Then within 15 seconds the video has 1 "catalog.video.ai_enriched" at the version of that change, with analysis_status "ready"

  Scenario: a failing stage is announced as processing_failed naming the stage
    When job "job-1" reports the analysis stage "failed"
    Then within 15 seconds the video has 1 "catalog.video.processing_failed" at the version of that change, with failed_stage "analysis"

  Scenario: a repeated ready report announces no second media_ready
    When job "job-1" reports the media stage "ready"
    And job "job-1" reports the media stage "ready"
    And job "job-2" reports the analysis stage "processing"
    Then within 15 seconds the video's "catalog.video.updated" for that last change has arrived
    And the video has exactly 1 "catalog.video.media_ready"
