@projection @needs_grpc @needs_publish_raw @creates_own
Feature: Catalog's read model of likes, bookmarks and watches
  Catalog MUST keep, from profile.engagement.events, each user's like and bookmark flags per video,
  the video's like and bookmark counters, its watch count, unique watchers and first and last
  watch times. A flag follows the newest event by occurred_at (an older one is stale and ignored);
  a counter moves only when a flag really flips; a user counts as a watcher of a video once.
  Events are injected as the profile service publishes them; the read model is read as catalog
  serves it: GetVideoDetail, called as the viewer, shows the viewer's has_liked and has_bookmarked
  and the video's like, bookmark and watch counts and unique watchers. No RPC serves the first and
  last watch times, so that scenario reads them from catalog.video_engagement_stats_projection
  (contracts/sql) through the database capability.

  Background:
    Given a ready catalog video and a viewer

  @B-P09
  Scenario: a repeated like counts once
    When the viewer's like of the video is added at minute 1
    And the viewer's like of the video is added at minute 2
    And the viewer's bookmark of the video is added at minute 3
    Then within 5 seconds catalog shows the viewer has liked and bookmarked the video
    And catalog shows the video with 1 like and 1 bookmark

  @B-P09
  Scenario: removing a like brings the counter back
    When the viewer's like of the video is added at minute 1
    And the viewer's like of the video is removed at minute 2
    And the viewer's bookmark of the video is added at minute 3
    Then within 5 seconds catalog shows the viewer has bookmarked but not liked the video
    And catalog shows the video with 0 likes and 1 bookmark

  @B-P09
  Scenario: a stale removal does not undo a newer like
    When the viewer's like of the video is added at minute 5
    And the viewer's like of the video is removed at minute 1
    And the viewer's bookmark of the video is added at minute 6
    Then within 5 seconds catalog shows the viewer has liked and bookmarked the video
    And catalog shows the video with 1 like and 1 bookmark

  @B-P09
  Scenario: removing a like that was never added changes no counter
    When the viewer's like of the video is removed at minute 1
    And the viewer's bookmark of the video is added at minute 2
    Then within 5 seconds catalog shows the viewer has bookmarked but not liked the video
    And catalog shows the video with 0 likes and 1 bookmark

  @B-P10 @needs_database
  Scenario: every watch counts, a watcher counts once, first and last watch times are kept
    When the viewer watches the video at minute 10
    And the viewer watches the video at minute 20
    And another viewer watches the video at minute 15
    Then within 5 seconds catalog shows the video with 3 watches by 2 unique watchers
    And catalog shows the video first watched at minute 10 and last watched at minute 20

  @B-P03
  Scenario: a redelivered watch event is counted once
    When the viewer watches the video at minute 10
    And the same message is published 2 more times
    And another viewer watches the video at minute 15
    Then within 5 seconds catalog shows the video with 2 watches by 2 unique watchers

  @B-P07 @needs_faults
  Scenario: a handler failure rolls back, and the redelivery applies the event once
    Given the next projection handler run fails after its writes
    When the viewer watches the video at minute 10
    And another viewer watches the video at minute 15
    Then within 10 seconds catalog shows the video with 2 watches by 2 unique watchers
