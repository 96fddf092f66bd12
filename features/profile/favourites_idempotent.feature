@profile @creates_own @B-R06 @B-R16
Feature: Likes and bookmarks are idempotent and counted once
  Liking or bookmarking a video the user already likes or bookmarks MUST change nothing, and
  removing one that is not there MUST change nothing: a user counts at most once per video and
  kind, and a counter MUST never go below zero. Likes and bookmarks are independent.

  Background:
    Given a signed-in user

  Scenario Outline: liking twice counts once (<surface>)
    Given the user talks to the profile service over <surface>
    When the user likes video "A"
    And the user likes video "A"
    Then the call succeeds
    And the user likes video "A" but has not bookmarked it
    And video "A" has 1 like and 0 bookmarks

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  Scenario Outline: removing twice, or removing what is not there, takes nothing from others (<surface>)
    Given the user talks to the profile service over <surface>
    And another signed-in user has liked video "A"
    When the user unbookmarks video "A"
    And the user likes video "A"
    And the user unlikes video "A"
    And the user unlikes video "A"
    Then the call succeeds
    And video "A" has 1 like and 0 bookmarks

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  Scenario Outline: like, bookmark, unlike twice (<surface>)
    Given the user talks to the profile service over <surface>
    When the user likes video "A"
    And the user bookmarks video "A"
    And the user unlikes video "A"
    And the user unlikes video "A"
    Then the user has bookmarked video "A" but does not like it
    And video "A" has 0 likes and 1 bookmark

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  Scenario Outline: ten simultaneous likes of one video by one user count once (<surface>)
    Given the user talks to the profile service over <surface>
    When the user likes video "A" 10 times at once
    Then all 10 calls succeed
    And video "A" has 1 like and 0 bookmarks

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |
