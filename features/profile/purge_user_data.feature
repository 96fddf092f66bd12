@profile @creates_own @B-R14 @B-R16
Feature: A user's profile data can be purged
  Purging MUST answer with a task id, and afterwards the user's profile, favourites and watch
  history MUST be gone and the videos' counters MUST no longer count them — while every other
  user's data and contribution to the counters stay exactly as they were. Each like and bookmark
  the purge removes MUST be announced as `profile.engagement.removed` with source `purge`, so that
  every consumer keeping its own counters (the catalog's) drops them too.

  Background:
    Given a signed-in user

  Scenario Outline: the user's data is gone, the other user's is not (<surface>)
    Given the user talks to the profile service over <surface>
    And the user has a profile named "Ada"
    And the user and another signed-in user have each liked video "A" and watched it, for 40 and 25 seconds
    When the user purges their data
    Then the call returns a purge task id
    And the user has no profile, no favourites and no watch history
    And video "A" has 1 like, 1 unique watcher and 25 seconds watched in total
    And the other user still likes video "A" and has it in their watch history

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  @needs_observe_events
  Scenario Outline: purging announces every like and bookmark it removes (<surface>)
    Given the user talks to the profile service over <surface>
    And another signed-in user has liked video "A"
    And the user has liked video "A"
    And the user has bookmarked video "B"
    When the user purges their data
    Then within 10 seconds the events of video "A" are exactly:
      | event_type                 | favorite_type      | like_count | bookmark_count | source |
      | profile.engagement.added   | FAVORITE_TYPE_LIKE | 1          | 0              | *      |
      | profile.engagement.added   | FAVORITE_TYPE_LIKE | 2          | 0              | *      |
      | profile.engagement.removed | FAVORITE_TYPE_LIKE | 1          | 0              | purge  |
    And within 10 seconds the events of video "B" are exactly:
      | event_type                 | favorite_type          | like_count | bookmark_count | source |
      | profile.engagement.added   | FAVORITE_TYPE_BOOKMARK | 0          | 1              | *      |
      | profile.engagement.removed | FAVORITE_TYPE_BOOKMARK | 0          | 0              | purge  |

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |
