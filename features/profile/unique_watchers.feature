@profile @creates_own @B-R11 @B-R16
Feature: A user counts once as a watcher of a video, from 5 % on
  A video's unique watchers MUST count a user once, as soon as their progress reaches 5 %, and
  never again for that video — whatever they report later, rewinding included.

  Background:
    Given a signed-in user

  Scenario Outline: the count follows the 5 % threshold and counts each user once (<surface>)
    Given the user talks to the profile service over <surface>
    When the user reports watching video "A" at 4 % with 4 seconds watched in total
    Then video "A" has 0 unique watchers
    When the user reports watching video "A" at 5 % with 5 seconds watched in total
    Then video "A" has 1 unique watcher
    When the user reports watching video "A" at 80 % with 80 seconds watched in total
    And the user reports watching video "A" at 1 % with 81 seconds watched in total
    And another signed-in user has watched video "A" for 25 seconds
    Then video "A" has 2 unique watchers

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |
