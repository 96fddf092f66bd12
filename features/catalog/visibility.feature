@catalog @needs_grpc @creates_own @B-C05
Feature: Moderation publishes, rejects and overrides the visibility of a video
  Visibility actions are RPCs of CatalogLifecycleService (additions over upstream, where
  "published" is unreachable). PublishVideo MUST take a ready video to "published" and public;
  RejectVideo MUST take a processing, ready or published video to "rejected" and private;
  OverrideVisibility MUST set a ready or published video's visibility. Each applied action emits
  "catalog.video.visibility_changed" beside "catalog.video.updated". Any other transition MUST be
  ABORTED with a reason and change nothing.

  Background:
    Given a video registered by the pipeline

  Scenario: publishing a ready video makes it published and public
    Given the pipeline has made the video ready
    When moderation publishes the video
    Then the call succeeds
    And the video is "published" with visibility "public"

  Scenario: rejecting a ready video makes it rejected and private
    Given the pipeline has made the video ready
    When moderation rejects the video for "spam"
    Then the call succeeds
    And the video is "rejected" with visibility "private"

  Scenario: overriding the visibility of a published video keeps its status
    Given the pipeline has made the video ready and published it
    When moderation overrides the video's visibility to "unlisted"
    Then the call succeeds
    And the video is "published" with visibility "unlisted"

  @needs_observe_events @B-X03
  Scenario: publishing is announced as visibility_changed beside updated
    Given the pipeline has made the video ready
    When moderation publishes the video
    Then within 15 seconds the video's "catalog.video.visibility_changed" says "ready" became "published" with visibility "public"
    And the video's latest "catalog.video.updated" carries status "published"

  @needs_observe_events @B-X03
  Scenario: rejecting is announced as visibility_changed with its reason
    Given the pipeline has made the video ready
    When moderation rejects the video for "spam"
    Then within 15 seconds the video's "catalog.video.visibility_changed" says "ready" became "rejected" with visibility "private" for "spam"

  Scenario Outline: <action> a <status> video is ABORTED and changes nothing
    Given the video is <status>
    When moderation <action>
    Then the call fails with ABORTED and reason "ERROR_REASON_STATUS_TRANSITION_INVALID"
    And the video is still <status> at the same version

    Examples:
      | status         | action                                          |
      | pending_upload | publishes the video                             |
      | processing     | publishes the video                             |
      | failed         | publishes the video                             |
      | published      | publishes the video                             |
      | rejected       | publishes the video                             |
      | archived       | publishes the video                             |
      | pending_upload | rejects the video for "spam"                    |
      | rejected       | rejects the video for "spam"                    |
      | archived       | rejects the video for "spam"                    |
      | processing     | overrides the video's visibility to "private"   |
      | rejected       | overrides the video's visibility to "public"    |
      | archived       | overrides the video's visibility to "public"    |
      | ready          | overrides the video's visibility to "public"    |
