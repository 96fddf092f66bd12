@profile @creates_own @B-R03 @B-R16
Feature: Profile updates are guarded by the version the client last saw
  An update that names the profile version it was based on MUST be applied only while the profile
  is still at that version. Otherwise it MUST change nothing and fail: on gRPC with ABORTED
  (expected_profile_version), on REST with 412 Precondition Failed as Problem Details (If-Match),
  both with the reason ERROR_REASON_PROFILE_VERSION_CONFLICT.

  Background:
    Given a signed-in user

  Scenario Outline: an update based on a stale version is refused and changes nothing (<surface>)
    Given the user talks to the profile service over <surface>
    And the user has a profile named "Ada"
    And the user has renamed it to "Grace"
    When the user renames it to "Hopper" expecting version 1
    Then the call fails with <refusal> and reason "ERROR_REASON_PROFILE_VERSION_CONFLICT"
    And the user's profile still has display name "Grace" at version 2

    @needs_grpc
    Examples: gRPC
      | surface | refusal             |
      | grpc    | ABORTED             |

    @needs_rest
    Examples: REST
      | surface | refusal             |
      | rest    | FAILED_PRECONDITION |

  Scenario Outline: an update based on the current version is applied (<surface>)
    Given the user talks to the profile service over <surface>
    And the user has a profile named "Ada"
    When the user renames it to "Hopper" expecting version 1
    Then the call succeeds
    And the profile has display name "Hopper" at version 2

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  Scenario Outline: an update expecting a version of a profile that does not exist is refused (<surface>)
    Given the user talks to the profile service over <surface>
    When the user renames it to "Hopper" expecting version 1
    Then the call fails with <refusal> and reason "ERROR_REASON_PROFILE_VERSION_CONFLICT"

    @needs_grpc
    Examples: gRPC
      | surface | refusal             |
      | grpc    | ABORTED             |

    @needs_rest
    Examples: REST
      | surface | refusal             |
      | rest    | FAILED_PRECONDITION |
