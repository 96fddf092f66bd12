@outbox @needs_faults @needs_grpc @needs_observe_events @creates_own @B-O02
Feature: A change and its event commit together or not at all
  A service MUST record a change and the event that announces it in one transaction. When the
  event cannot be recorded, the change MUST NOT be committed either: the caller is told the write
  failed, nothing of it can be read back, no counter moved, and no event about it is published,
  then or later. The event insert is refused by the reference's fault switch (capability faults,
  reference only: no deployed service lets a client make its outbox insert fail).

  Scenario Outline: a like whose event cannot be recorded is not kept (<surface>)
    Given a signed-in user
    And the user talks to the profile service over <surface>
    And another signed-in user has liked video "A"
    And the service will refuse to record the next event of video "A"
    When the user likes video "A"
    Then the call fails
    And the user does not like video "A" and has not bookmarked it
    And video "A" has 1 like and 0 bookmarks
    And within 10 seconds the events of video "A" are exactly:
      | event_type               | favorite_type      | like_count | bookmark_count |
      | profile.engagement.added | FAVORITE_TYPE_LIKE | 1          | 0              |

    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |

  Scenario: a lifecycle update whose event cannot be recorded changes nothing
    Given a video registered by the pipeline
    And the service will refuse to record the next event of the video
    When the pipeline archives the video
    Then the call fails
    And the video is "pending_upload" at version 1
    And within 10 seconds the video's published events are exactly "catalog.video.created"
