@profile @creates_own @B-R05 @B-R16
Feature: An update changes only the fields it names
  An update with a field mask MUST change exactly the named fields of the profile or its
  preferences — including the free-form `extra` — and leave every other field as it was, even when
  the request carries values for them. A mask naming a field that cannot be updated MUST be
  refused with INVALID_ARGUMENT.

  Background:
    Given a signed-in user

  Scenario Outline: <mask> alone is changed (<surface>)
    Given the user talks to the profile service over <surface>
    And the user has this profile:
      | field                           | value                     |
      | display_name                    | Ada                       |
      | avatar_url                      | https://cdn.invalid/a.png |
      | preferences.learning_goal       | B2 by summer              |
      | preferences.daily_quota_minutes | 30                        |
      | preferences.extra               | {"theme": "dark"}         |
    When the user updates their profile with the mask "<mask>" and these values:
      | field                           | value                     |
      | display_name                    | Grace                     |
      | avatar_url                      | https://cdn.invalid/g.png |
      | preferences.learning_goal       | C1 by winter              |
      | preferences.daily_quota_minutes | 45                        |
      | preferences.extra               | {"theme": "light"}        |
    Then the call succeeds
    And the profile's <mask> is <new value> and every other field is unchanged

    @needs_grpc
    Examples: gRPC
      | surface | mask                            | new value          |
      | grpc    | display_name                    | Grace              |
      | grpc    | preferences.learning_goal       | C1 by winter       |
      | grpc    | preferences.extra               | {"theme": "light"} |

    @needs_rest
    Examples: REST
      | surface | mask                            | new value          |
      | rest    | avatar_url                      | https://cdn.invalid/g.png |
      | rest    | preferences.daily_quota_minutes | 45                 |
      | rest    | preferences.extra               | {"theme": "light"} |

  Scenario Outline: updating preferences by mask leaves the other preferences alone (<surface>)
    Given the user talks to the profile service over <surface>
    And the user has this profile:
      | field                           | value             |
      | display_name                    | Ada               |
      | preferences.learning_goal       | B2 by summer      |
      | preferences.extra               | {"theme": "dark"} |
    When the user updates their preferences with the mask "extra" and these values:
      | field                           | value                               |
      | preferences.learning_goal       | C1 by winter                        |
      | preferences.extra               | {"theme": "light", "captions": true} |
    Then the call succeeds
    And the profile's preferences.extra is {"theme": "light", "captions": true} and every other field is unchanged

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  Scenario Outline: a mask naming a field that cannot be updated is refused (<surface>)
    Given the user talks to the profile service over <surface>
    And the user has a profile named "Ada"
    When the user updates their profile with the mask "profile_version" and these values:
      | field        | value |
      | display_name | Grace |
    Then the call fails with INVALID_ARGUMENT and reason "ERROR_REASON_PROFILE_REQUEST_INVALID"
    And the user's profile still has display name "Ada" at version 1

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |
