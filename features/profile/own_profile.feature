@profile @creates_own @B-R01 @B-R02 @B-R16
Feature: A user reads and creates their own profile
  A signed-in user MUST be able to read their own profile. Before they have one, reading it MUST
  fail with NOT_FOUND (REST 404). The first update MUST create it at profile_version 1, and every
  later change MUST increase profile_version by exactly one. Both surfaces MUST agree.

  Background:
    Given a signed-in user

  Scenario Outline: a user without a profile is told it does not exist (<surface>)
    Given the user talks to the profile service over <surface>
    When the user reads their profile
    Then the call fails with NOT_FOUND and reason "ERROR_REASON_PROFILE_NOT_FOUND"

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  Scenario Outline: the first update creates the profile at version 1 (<surface>)
    Given the user talks to the profile service over <surface>
    When the user sets their display name to "Ada"
    And the user reads their profile
    Then the profile has display name "Ada" at version 1

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  Scenario Outline: every change increases the version by one (<surface>)
    Given the user talks to the profile service over <surface>
    And the user has a profile named "Ada"
    When the user sets their display name to "Grace"
    And the user sets their avatar URL to "https://cdn.invalid/grace.png"
    And the user reads their profile
    Then the profile has display name "Grace" at version 3

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  Scenario Outline: a profile cannot be created without a display name (<surface>)
    Given the user talks to the profile service over <surface>
    When the user sets their avatar URL to "https://cdn.invalid/nameless.png"
    Then the call fails with INVALID_ARGUMENT and reason "ERROR_REASON_PROFILE_REQUEST_INVALID"

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |
