@upload @needs_grpc @read_only @B-U04 @B-X01
Feature: An upload names who is calling
  The upload service MUST learn who calls from the gateway's user-info header before it reserves
  anything. A call without the header MUST be UNAUTHENTICATED; a header that does not name a user
  MUST be INVALID_ARGUMENT. Both carry the reason ERROR_REASON_UPLOAD_INVALID.

  Scenario: a call without a user-info header is unauthenticated
    Given a caller who sends no user-info header
    When the caller initialises an upload of a valid 5 MiB "video/mp4" file
    Then the call fails with UNAUTHENTICATED and reason "ERROR_REASON_UPLOAD_INVALID"

  Scenario Outline: a user-info header that names no user is invalid
    Given a caller whose user-info header is <header>
    When the caller initialises an upload of a valid 5 MiB "video/mp4" file
    Then the call fails with INVALID_ARGUMENT and reason "ERROR_REASON_UPLOAD_INVALID"

    Examples:
      | header                               |
      | not base64                           |
      | base64 of text that is not JSON      |
      | base64 of a JSON list                |
      | claims without sub, user_id or uid   |
      | claims whose sub is not a UUID       |
