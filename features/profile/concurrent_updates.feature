@profile @creates_own @B-R04 @B-R16
Feature: Concurrent updates based on one version let exactly one through
  When several clients update one profile at the same time, each naming the version it read, the
  service MUST apply exactly one of them; every other MUST fail as a version conflict, and the
  profile MUST end one version further, not several.

  Background:
    Given a signed-in user

  Scenario Outline: ten simultaneous updates from version 1 (<surface>)
    Given the user talks to the profile service over <surface>
    And the user has a profile named "Ada"
    When 10 clients rename it at once, each expecting version 1
    Then exactly 1 of the calls succeeds and the others fail with <refusal> and reason "ERROR_REASON_PROFILE_VERSION_CONFLICT"
    And the user's profile is at version 2

    @needs_grpc
    Examples: gRPC
      | surface | refusal             |
      | grpc    | ABORTED             |

    @needs_rest
    Examples: REST
      | surface | refusal             |
      | rest    | FAILED_PRECONDITION |
