@catalog @needs_grpc @creates_own @B-C01
Feature: Registering an upload creates a video awaiting its processing
  RegisterUpload MUST create a video in status "pending_upload" with both stages "pending" at
  version 1, and announce it with "catalog.video.created".

  Scenario: a registered video starts pending at version 1
    When the pipeline registers an upload titled "first take"
    Then the call succeeds
    And the new video is "pending_upload" with media "pending" and analysis "pending" at version 1

  @needs_observe_events @B-O01 @B-X03
  Scenario: registering announces the video
    When the pipeline registers an upload titled "first take"
    Then within 15 seconds "catalog.video.created" for the new video is published with title "first take"

  Scenario Outline: a registration with <field> set to <value> is rejected
    When the pipeline registers an upload with <field> set to <value>
    Then the call fails with INVALID_ARGUMENT and reason "ERROR_REASON_VIDEO_UPDATE_INVALID"

    Examples:
      | field              | value         |
      | upload_user_id     | "not-a-uuid"  |
      | title              | ""            |
      | raw_file_reference | ""            |
