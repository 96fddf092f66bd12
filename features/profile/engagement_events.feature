@profile @creates_own @needs_observe_events @B-R07 @B-O01 @B-X03
Feature: Engagement events are published only when a like or bookmark really changes
  The profile service MUST publish `profile.engagement.added` when a like or bookmark is switched
  on and `profile.engagement.removed` when it is switched off — and nothing for a repeated or
  empty change. Each message MUST carry all seven required attributes and a payload valid against
  its contract, with the video as aggregate and ordering key.

  Background:
    Given a signed-in user

  Scenario Outline: repeated and empty changes publish nothing (<surface>)
    Given the user talks to the profile service over <surface>
    When the user unlikes video "A"
    And the user likes video "A"
    And the user likes video "A"
    And the user unlikes video "A"
    And the user unlikes video "A"
    And the user bookmarks video "A"
    Then within 10 seconds the events of video "A" are exactly:
      | event_type                 | favorite_type          | like_count | bookmark_count |
      | profile.engagement.added   | FAVORITE_TYPE_LIKE     | 1          | 0              |
      | profile.engagement.removed | FAVORITE_TYPE_LIKE     | 0          | 0              |
      | profile.engagement.added   | FAVORITE_TYPE_BOOKMARK | 0          | 1              |

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |
