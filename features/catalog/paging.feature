@catalog @needs_grpc @creates_own @B-C10
Feature: Catalog lists page by keyset and never skip or repeat an item
  Both catalog lists are ordered newest first (created_at, then video_id, descending). Walking
  them with the next_page_token of each page MUST return every video once — none skipped, none
  repeated — whatever the page size, also when videos are added or changed between two pages.
  page_size 0 means 20; above 100 it is clamped to 100. A token is bound to the caller and the
  query: a token the service did not issue for exactly this caller and query MUST be refused with
  INVALID_ARGUMENT.

  Background:
    Given a user with 7 public videos registered one after another

  Scenario Outline: walking <list> <size> at a time lists the 7 videos once each, newest first
    When <list> is walked <size> at a time
    Then the pages hold <sizes> videos
    And together they list the 7 videos once each, newest first

    Examples:
      | list                      | size | sizes         |
      | the user's uploads        | 1    | 1,1,1,1,1,1,1 |
      | the user's uploads        | 3    | 3,3,1         |
      | the user's uploads        | 7    | 7             |
      | the user's uploads        | 10   | 7             |
      | the user's public videos  | 2    | 2,2,2,1       |
      | the user's public videos  | 3    | 3,3,1         |

  Scenario Outline: a video added and another changed between two pages of <list> neither repeat nor hide one
    When the first 3 of <list> are listed
    And a new video is registered for the user and the oldest video is changed
    And the walk of <list> continues 3 at a time
    Then together they list the 7 videos once each, newest first

    Examples:
      | list                     |
      | the user's uploads       |
      | the user's public videos |

  Scenario: page size 0 means 20 and a page size above 100 is clamped to 100
    Given the user has 101 more videos
    When the user's uploads are listed with page size 0
    Then the page holds 20 videos and a next page token
    When the user's uploads are listed with page size 150
    Then the page holds 100 videos and a next page token

  Scenario Outline: a page token <token> is refused
    When <list> is listed with the page token <token>
    Then the call fails with INVALID_ARGUMENT and reason "ERROR_REASON_PAGE_TOKEN_INVALID"

    Examples:
      | list                     | token                                              |
      | the user's uploads       | "not a token"                                      |
      | the user's uploads       | of another user's uploads                          |
      | the user's uploads       | of the user's uploads filtered by status "ready"   |
      | the user's uploads       | of the user's own uploads, altered                 |
      | the user's public videos | of another user's public videos                    |
      | the user's public videos | of the user's uploads                              |
      | the user's public videos | issued to another caller                           |
