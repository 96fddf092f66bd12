@profile @creates_own @B-R08 @B-R16
Feature: A user asks for the state of several videos at once
  A batch query MUST answer, for each requested video and in the order asked, whether the user
  likes and bookmarks it, and — when asked for — the video's like and bookmark counters. Videos
  nobody engaged with MUST come back with everything off and zero counters. A video id that is not
  a UUID MUST be refused with INVALID_ARGUMENT.

  Background:
    Given a signed-in user

  Scenario Outline: states and counters, in request order (<surface>)
    Given the user talks to the profile service over <surface>
    And the user has liked video "A"
    And the user has bookmarked video "B"
    And another signed-in user has liked video "B"
    When the user queries videos "C, B, A" with their counters
    Then the call succeeds
    And the answer is, in this order:
      | video | liked | bookmarked | likes | bookmarks |
      | C     | no    | no         | 0     | 0         |
      | B     | no    | yes        | 1     | 1         |
      | A     | yes   | no         | 1     | 0         |

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  Scenario Outline: a video id that is not a UUID is refused (<surface>)
    Given the user talks to the profile service over <surface>
    When the user queries the video ids "not-a-video" with their counters
    Then the call fails with INVALID_ARGUMENT and reason "ERROR_REASON_PROFILE_REQUEST_INVALID"

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |
