@profile @creates_own @B-X04 @B-R16
Feature: Malformed profile requests are refused and change nothing
  A request with a field outside its contract — a progress ratio above 100 %, a negative total, a
  video id that is not a UUID, a page size above 100 — MUST fail with INVALID_ARGUMENT (REST 400
  Problem Details) and reason ERROR_REASON_PROFILE_REQUEST_INVALID, name the offending field, and
  change nothing.

  Background:
    Given a signed-in user

  Scenario Outline: a progress report outside the contract (<surface>, <what>)
    Given the user talks to the profile service over <surface>
    When the user reports watching video "A" at <percent> % with <seconds> seconds watched in total
    Then the call fails with INVALID_ARGUMENT and reason "ERROR_REASON_PROFILE_REQUEST_INVALID"
    And the error names the field "<field>"
    And video "A" has been watched for 0 seconds in total

    @needs_grpc
    Examples: gRPC
      | surface | what                 | percent | seconds | field                         |
      | grpc    | ratio above 100 %    | 150     | 10      | progress.progress_ratio       |
      | grpc    | negative total       | 10      | -5      | progress.total_watch_seconds  |

    @needs_rest
    Examples: REST
      | surface | what                 | percent | seconds | field                         |
      | rest    | ratio above 100 %    | 150     | 10      | progressRatio                 |
      | rest    | negative total       | 10      | -5      | totalWatchSeconds             |

  Scenario Outline: a favourite of a video id that is not a UUID (<surface>)
    Given the user talks to the profile service over <surface>
    When the user likes the video id "video-42"
    Then the call fails with INVALID_ARGUMENT and reason "ERROR_REASON_PROFILE_REQUEST_INVALID"
    And the error names the field "<field>"
    And the user has no favourites

    @needs_grpc
    Examples: gRPC
      | surface | field    |
      | grpc    | video_id |

    @needs_rest
    Examples: REST
      | surface | field   |
      | rest    | videoId |

  Scenario Outline: a page size above 100 (<surface>)
    Given the user talks to the profile service over <surface>
    When the user lists their favourites 101 at a time
    Then the call fails with INVALID_ARGUMENT and reason "ERROR_REASON_PROFILE_REQUEST_INVALID"
    And the error names the field "page_size"

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |
