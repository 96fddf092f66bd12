@profile @read_only @B-R15 @B-X01 @B-R16
Feature: The profile service learns who calls from the gateway's user-info header
  A call without the user-info header MUST fail with UNAUTHENTICATED (REST 401) and reason
  ERROR_REASON_USER_INFO_MISSING; a header that does not name a user MUST fail with
  INVALID_ARGUMENT (REST 400) and reason ERROR_REASON_USER_INFO_INVALID. Nothing is read or changed.

  Scenario Outline: a call without a user-info header is unauthenticated (<surface>, <operation>)
    Given a caller who sends no user-info header
    And the user talks to the profile service over <surface>
    When the caller <operation>
    Then the call fails with UNAUTHENTICATED and reason "ERROR_REASON_USER_INFO_MISSING"

    @needs_grpc
    Examples: gRPC
      | surface | operation                 |
      | grpc    | reads their profile       |
      | grpc    | updates their profile     |
      | grpc    | likes a video             |
      | grpc    | reports watch progress    |
      | grpc    | purges their data         |

    @needs_rest
    Examples: REST
      | surface | operation                 |
      | rest    | reads their profile       |
      | rest    | updates their preferences |
      | rest    | lists their favourites    |
      | rest    | lists their watch history |
      | rest    | purges their data         |

  Scenario Outline: a user-info header that names no user is invalid (<surface>, <header>)
    Given a caller whose user-info header is <header>
    And the user talks to the profile service over <surface>
    When the caller reads their profile
    Then the call fails with INVALID_ARGUMENT and reason "ERROR_REASON_USER_INFO_INVALID"

    @needs_grpc
    Examples: gRPC
      | surface | header                             |
      | grpc    | not base64                         |
      | grpc    | claims without sub, user_id or uid |
      | grpc    | claims whose sub is not a UUID     |

    @needs_rest
    Examples: REST
      | surface | header                             |
      | rest    | base64 of text that is not JSON    |
      | rest    | base64 of a JSON list              |
      | rest    | claims whose sub is not a UUID     |
