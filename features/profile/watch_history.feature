@profile @creates_own @B-R13 @B-R16
Feature: Watch history lists the most recently watched videos first
  A user's watch history MUST list each video they reported progress on once, the most recently
  watched first, with the stored progress, an expiry exactly the retention after the last watch
  time (30 days by default; a deployment configured otherwise records a known deviation) and the
  video's metadata as the catalog published it.

  Background:
    Given a signed-in user

  Scenario Outline: the video watched last comes first (<surface>)
    Given the user talks to the profile service over <surface>
    When the user reports watching video "A" at 10 % with 10 seconds watched in total
    And the user reports watching video "B" at 20 % with 20 seconds watched in total
    And the user reports watching video "A" at 40 % with 40 seconds watched in total
    And the user lists their watch history
    Then the history lists videos "A, B" in this order
    And the history shows 40 % for video "A" and 20 % for video "B"
    And every history entry expires 30 days after it was last watched

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  @needs_publish_raw
  Scenario Outline: entries carry the video's metadata as the catalog published it (<surface>)
    Given the user talks to the profile service over <surface>
    And the catalog has published video "A" titled "Ada's first lesson"
    When the user reports watching video "A" at 10 % with 10 seconds watched in total
    Then within 10 seconds the user's watch history shows video "A" titled "Ada's first lesson"

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |
