@projection @needs_grpc @needs_publish_raw @creates_own
Feature: The profile service's read model of catalog videos
  The profile service MUST converge to the newest version of every video it hears about on
  catalog.video.events, whatever the delivery order, and MUST apply each event at most once: a
  change is applied only when its version is newer than the one held, partial updates are merged
  into the row, and a deletion leaves the video marked deleted. Events are injected as the catalog
  publishes them; the read model is read as the profile service serves it: the video metadata
  ListFavorites hydrates into a viewer's bookmark of the video.

  Background:
    Given a video the catalog created at version 1 with title "first"
    And a viewer who bookmarked the video

  @B-P01
  Scenario: a created video appears in the read model
    Then within 5 seconds the profile service shows the video with title "first" at version 1

  @B-P02
  Scenario: a newer version is applied
    When the catalog publishes "catalog.video.updated" version 2 with title "second"
    Then within 5 seconds the profile service shows the video with title "second" at version 2

  @B-P02
  Scenario: an event of the version already held is ignored
    When the catalog publishes "catalog.video.updated" version 2 with title "second"
    And the catalog publishes "catalog.video.updated" version 2 with title "again"
    And the catalog publishes "catalog.video.updated" version 3 with description "marker"
    Then within 5 seconds the profile service shows the video with description "marker" at version 3
    And the profile service shows the video with title "second" at version 3

  @B-P04
  Scenario: an older version arriving late does not overwrite a newer one
    When the catalog publishes "catalog.video.updated" version 3 with title "v3"
    And the catalog publishes "catalog.video.updated" version 2 with title "v2"
    And the catalog publishes "catalog.video.updated" version 4 with description "marker"
    Then within 5 seconds the profile service shows the video with description "marker" at version 4
    And the profile service shows the video with title "v3" at version 4

  @B-P02
  Scenario: partial updates are merged into the row
    When the catalog publishes "catalog.video.updated" version 2 with description "about cats"
    And the catalog publishes "catalog.video.updated" version 3 with status "ready"
    Then within 5 seconds the profile service shows the video with status "ready" at version 3
    And the profile service shows the video with title "first" at version 3
    And the profile service shows the video with description "about cats" at version 3

  @B-P03
  Scenario: a redelivered event is applied once
    When the catalog publishes "catalog.video.updated" version 2 with title "second"
    And the same message is published 3 more times
    And the catalog publishes "catalog.video.updated" version 3 with description "marker"
    Then within 5 seconds the profile service shows the video with description "marker" at version 3
    And the profile service shows the video with title "second" at version 3

  @B-P05
  Scenario: a deleted video is marked deleted and an older event cannot bring it back
    When the catalog publishes "catalog.video.deleted" version 2
    And the catalog publishes "catalog.video.created" version 1 with title "zombie"
    And the catalog publishes "catalog.video.updated" version 3 with description "marker"
    Then within 5 seconds the profile service shows the video with description "marker" at version 3
    And the profile service shows the video with status "deleted" at version 3
    And the profile service shows the video with title "first" at version 3
