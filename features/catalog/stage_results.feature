@catalog @needs_grpc @creates_own @B-C04
Feature: The pipeline's stage results are stored and readable
  UpdateMediaInfo and UpdateAIAttributes MUST store the results they carry, move the stage when a
  status is given, and make the video "ready" once both stages are.

  Background:
    Given a video registered by the pipeline

  Scenario: media then analysis results make a ready video with its artefacts
    When job "job-1" reports media results of 42000000 µs with thumbnail "https://cdn.example/t.jpg", status "ready"
    And job "job-2" reports analysis results of difficulty "B1" with tags "travel, food", status "ready"
    Then the video is "ready"
    And the video's metadata shows 42000000 µs, thumbnail "https://cdn.example/t.jpg", difficulty "B1" and tags "travel, food"
