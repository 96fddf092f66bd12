@upload @needs_grpc @read_only @B-U03 @B-X04
Feature: An upload request is checked before anything is reserved
  Every field of InitResumableUpload MUST satisfy the contract's rules (contracts/proto/video/v1/
  upload.proto) and the platform's policy (content types, size limit). A request that breaks one
  MUST fail with INVALID_ARGUMENT, reason ERROR_REASON_UPLOAD_INVALID, naming the field, and store
  nothing.

  Background:
    Given a signed-in user

  Scenario Outline: <field> set to <value> is rejected
    When the user initialises an upload with <field> set to <value>
    Then the call fails with INVALID_ARGUMENT and reason "ERROR_REASON_UPLOAD_INVALID"
    And the error names the field "<field>"
    And the user has exactly 0 uploads

    Examples:
      | field            | value                                |
      | content_md5_hex  | "abc"                                |
      | content_md5_hex  | "zz0123456789abcdef0123456789abcd"   |
      | duration_seconds | 0                                    |
      | duration_seconds | 301                                  |
      | title            | ""                                   |
      | description      | ""                                   |
      | size_bytes       | -1                                   |
      | size_bytes       | 3221225472                           |
      | content_type     | "text/plain"                         |
      | content_type     | ""                                   |
