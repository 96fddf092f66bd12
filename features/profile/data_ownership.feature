@profile @B-R15 @B-X02 @B-X01 @B-R16
Feature: A user acts only on their own data
  A request that names another user's id MUST be refused with PERMISSION_DENIED (REST 403) and
  reason ERROR_REASON_NOT_DATA_OWNER, and change nothing. (Upstream lets the request's user_id
  silently override the caller's identity; the intended behaviour is stated here.)

  Background:
    Given a signed-in user

  @read_only
  Scenario Outline: the user <operation> naming another user (<surface>)
    Given the user talks to the profile service over <surface>
    When the user <operation> naming another user
    Then the call fails with PERMISSION_DENIED and reason "ERROR_REASON_NOT_DATA_OWNER"

    @needs_grpc
    Examples: gRPC
      | surface | operation                   |
      | grpc    | reads their profile         |
      | grpc    | updates their profile       |
      | grpc    | updates their preferences   |
      | grpc    | likes a video               |
      | grpc    | queries favourites in batch |
      | grpc    | lists their favourites      |
      | grpc    | reports watch progress      |
      | grpc    | lists their watch history   |
      | grpc    | purges their data           |

    @needs_rest
    Examples: REST
      | surface | operation                   |
      | rest    | likes a video               |
      | rest    | unlikes a video             |
      | rest    | queries favourites in batch |
      | rest    | lists their favourites      |
      | rest    | reports watch progress      |
      | rest    | lists their watch history   |
      | rest    | purges their data           |

  @creates_own
  Scenario Outline: a refused purge of another user's data removes nothing (<surface>)
    Given the user talks to the profile service over <surface>
    And another signed-in user has liked video "A"
    When the user purges their data naming the other user
    Then the call fails with PERMISSION_DENIED and reason "ERROR_REASON_NOT_DATA_OWNER"
    And the other user still likes video "A"

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |
