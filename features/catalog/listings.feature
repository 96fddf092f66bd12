@catalog @needs_grpc @creates_own @B-C09
Feature: A user's public videos and one's own uploads are listed as the contract says
  ListUserPublicVideos MUST list only public videos (status ready or published, visibility public)
  and, given a user_id, only that user's. ListMyUploads MUST need an identity, list only the
  caller's videos, and filter by status (any of the given) and by stage (media or analysis status
  among the given).

  Background:
    Given a user with one video in each status: pending_upload, processing, ready, published, unlisted, failed, rejected, archived
    And another user with a published video

  Scenario: the public listing of a user holds only their ready and published public videos
    When anyone lists the user's public videos
    Then the list holds exactly the user's "ready, published" videos

  Scenario Outline: the owner's uploads filtered by status <filter> hold exactly the <expected> videos
    When the user lists their uploads with status filter "<filter>"
    Then the list holds exactly the user's "<expected>" videos

    Examples:
      | filter           | expected                                                                         |
      |                  | pending_upload, processing, ready, published, unlisted, failed, rejected, archived |
      | ready, published | ready, published, unlisted                                                       |
      | failed           | failed                                                                           |

  Scenario: the owner's uploads filtered by stage "failed" hold the video whose media failed
    When the user lists their uploads with stage filter "failed"
    Then the list holds exactly the user's "failed" videos
