@profile @creates_own @B-R10 @B-R16
Feature: Watch time is cumulative and never decreases
  A client reports the total seconds it has watched a video so far. The stored total MUST be the
  largest total ever reported — a smaller report adds nothing — and the video's total watch time
  MUST grow by exactly what the user's total grew. The first watch time MUST be set by the first
  report and never change.

  Background:
    Given a signed-in user

  Scenario Outline: a smaller total adds nothing (<surface>)
    Given the user talks to the profile service over <surface>
    When the user reports watching video "A" at 20 % with 30 seconds watched in total
    And the user reports watching video "A" at 30 % with 10 seconds watched in total
    Then the stored progress is 30 % with 30 seconds watched in total
    And video "A" has been watched for 30 seconds in total

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  Scenario Outline: totals of several users add up, and the first watch time stays (<surface>)
    Given the user talks to the profile service over <surface>
    And another signed-in user has watched video "A" for 25 seconds
    When the user reports watching video "A" at 20 % with 30 seconds watched in total
    And the user reports watching video "A" at 60 % with 90 seconds watched in total
    Then the stored progress is 60 % with 90 seconds watched in total
    And the first watch time is the one of the user's first report
    And video "A" has been watched for 115 seconds in total

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |
