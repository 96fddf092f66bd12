@projection @needs_grpc @needs_publish_raw @needs_observe_events @creates_own @B-P06
Feature: A message the profile service cannot understand is dead-lettered, not applied, and blocks nothing
  A message of catalog.video.events with an unknown schema_version, a payload that is not a
  video.v1.Event, or an event_id that is not a UUID MUST NOT be applied or acknowledged as
  processed. The consumer MUST refuse it until the subscription's dead-letter policy moves it to
  catalog.video.events.dlq, while other videos' events keep flowing at once and the same video's
  later events flow as soon as it is dead-lettered (Pub/Sub ordering keys). How soon a message is
  dead-lettered depends on the subscription's retry policy; the embedded reference uses 0.2-0.5 s.
  The profile service's read model is read as ListFavorites hydrates it into a viewer's bookmarks.

  Background:
    Given a video the catalog created at version 1 with title "first"
    And a viewer who bookmarked the video and another video

  Scenario Outline: a message with <defect> is dead-lettered and later events still flow
    When the catalog publishes for the video a message with <defect>
    And the catalog publishes "catalog.video.updated" version 2 with title "after"
    And the catalog publishes another video created at version 1 with title "unblocked"
    Then within 5 seconds the profile service shows the other video with title "unblocked" at version 1
    And within 30 seconds the poison message is on "catalog.video.events.dlq" from "catalog.video.events.profile-inbox"
    And within 10 seconds the profile service shows the video with title "after" at version 2

    Examples:
      | defect                                 |
      | schema_version "v99"                   |
      | a payload that is not a video.v1.Event |
      | an event_id that is not a UUID         |
