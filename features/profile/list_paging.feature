@profile @creates_own @B-R09 @B-R16
Feature: Favourites and watch history page with opaque, stable tokens
  A list MUST page with the token of the previous page so that, walked to the end, every item
  appears exactly once — none skipped, none repeated — newest first, even when new items arrive
  between two pages. Tokens are opaque; a token the service did not issue for this list and user
  MUST be refused with INVALID_ARGUMENT (REST 400).

  Background:
    Given a signed-in user

  Scenario Outline: walking favourites 3 at a time lists each once, newest first (<surface>)
    Given the user talks to the profile service over <surface>
    And the user has liked 7 videos one after another
    When the user walks through their favourites 3 at a time
    Then the pages hold 3, 3 and 1 favourites
    And together they list the 7 liked videos once each, newest first

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  Scenario Outline: a favourite added between two pages neither repeats nor hides one (<surface>)
    Given the user talks to the profile service over <surface>
    And the user has liked 4 videos one after another
    When the user lists the first 2 favourites
    And the user likes video "N"
    And the user lists the next page of favourites
    Then the two pages together list the 4 earlier videos once each, newest first

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  Scenario Outline: walking watch history 2 at a time lists each once, most recent first (<surface>)
    Given the user talks to the profile service over <surface>
    And the user has watched 5 videos one after another
    When the user walks through their watch history 2 at a time
    Then the pages hold 2, 2 and 1 entries
    And together they list the 5 watched videos once each, most recent first

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  Scenario Outline: a page token the service did not issue is refused (<surface>)
    Given the user talks to the profile service over <surface>
    When the user lists their <list> with the page token <token>
    Then the call fails with INVALID_ARGUMENT and reason "ERROR_REASON_PAGE_TOKEN_INVALID"

    @needs_grpc
    Examples: gRPC
      | surface | list          | token                                   |
      | grpc    | favourites    | "20"                                    |
      | grpc    | watch history | "not a token"                           |
      | grpc    | favourites    | of another user's favourites            |
      | grpc    | watch history | of the user's own favourites            |
      | grpc    | favourites    | of the user's own favourites, altered   |

    @needs_rest
    Examples: REST
      | surface | list          | token                                   |
      | rest    | favourites    | "20"                                    |
      | rest    | watch history | "not a token"                           |
      | rest    | favourites    | of another user's favourites            |
      | rest    | watch history | of the user's own favourites            |
      | rest    | favourites    | of the user's own favourites, altered   |
