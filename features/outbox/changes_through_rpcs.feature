@outbox @needs_grpc @needs_observe_events @creates_own
Feature: A change committed through a service's RPCs is published once and in order, a refused one never, and its consumer applies it once
  A change a service commits MUST reach its topic as exactly one logical event (by event_id) per
  event it announced (the one its response names, and milestone events at the same version),
  carrying every attribute of the contract, the aggregate id as ordering key and a payload of the
  contract's type. A change the service refuses MUST publish nothing: no event at a version no
  committed change had, no second event of one type at one version. One aggregate's events MUST arrive in version order, however the changes of several
  aggregates interleave. A consumer MUST apply each event once, also when the broker delivers it
  again, and a relay MUST mark what it published so that it is not published again.

  How the change is made: through the services' public RPCs (the pipeline's
  CatalogLifecycleService calls, the profile service's MutateFavorite and UpsertWatchProgress), so
  the target's own unit of work writes its outbox rows and its own relay publishes them. "Nothing
  else" is shown the way it can be shown on any deployment: the aggregate's last announced event
  has arrived, and per-key ordering means everything committed before it has arrived too.

  @B-O01 @B-X03
  Scenario: a registered upload is announced by the event its response names, with the contract's attributes
    When the pipeline registers a video
    Then within 10 seconds the video's events on "catalog.video.events" are those of its committed changes, in version order
    And every event of the video carries the seven required attributes and the video id as ordering key

  @B-O03
  Scenario: a video's lifecycle changes arrive once each, in version order
    When the pipeline registers a video
    And the pipeline reports the media stage "processing"
    And the pipeline reports the media stage "ready"
    And the pipeline reports the analysis stage "processing"
    And the pipeline reports the analysis stage "ready"
    And the pipeline archives it
    Then within 10 seconds the video's events on "catalog.video.events" are those of its committed changes, in version order

  @B-O03
  Scenario: interleaved changes of several videos arrive in each video's version order
    When the pipeline registers 4 videos
    And the pipeline reports each video's media stage "processing", in turn
    And the pipeline reports each video's media stage "ready", in turn
    And the pipeline reports each video's analysis stage "ready", in turn
    Then within 15 seconds each video's events on "catalog.video.events" are those of its committed changes, in version order

  @B-O02
  Scenario: changes refused inside their transaction publish nothing
    When the pipeline registers a video
    And the pipeline reports the media stage "ready" expecting it to be "processing", and is refused
    And the pipeline archives the video expecting version 5, and is refused
    And the pipeline reports the media stage "processing"
    Then within 10 seconds the video's events on "catalog.video.events" are those of its committed changes, in version order

  @B-O02
  Scenario: of two changes racing for the same version, only the one committed is published
    When the pipeline registers a video
    And a media and an analysis report expecting version 1 race, and one wins
    And the pipeline archives it
    Then within 10 seconds the video's events on "catalog.video.events" are those of its committed changes, in version order

  @B-O01 @needs_database
  Scenario: a published change's outbox row is marked published, in catalog and in the profile service
    When the pipeline registers a video
    And the viewer likes the video through the profile service
    Then within 10 seconds the video's events on "catalog.video.events" are those of its committed changes, in version order
    And within 10 seconds 1 event of the video arrives on "profile.engagement.events"
    And within 10 seconds the outbox rows of the video's events are marked published in "catalog" and "profile"

  @B-O01 @B-P01 @B-P02
  Scenario: a video registered with catalog reaches the profile service's read model, each change once
    When the pipeline registers a video titled "announced"
    And the viewer bookmarks the video through the profile service
    Then within 10 seconds the profile service shows the video with title "announced" at version 1
    When the pipeline reports the media stage "processing"
    Then within 10 seconds the profile service shows the video with status "processing" at version 2

  @B-O01 @B-P09
  Scenario: likes and bookmarks committed through the profile service are counted once by catalog
    Given a ready catalog video and a viewer
    When the viewer likes the video through the profile service
    And the viewer bookmarks the video through the profile service
    Then within 10 seconds catalog shows the viewer has liked and bookmarked the video
    And catalog shows the video with 1 like and 1 bookmark

  @B-O01 @B-P10
  Scenario: watches reported to the profile service are counted once by catalog
    Given a ready catalog video and a viewer
    When the viewer reports watching half of the video
    And another viewer reports watching half of the video
    Then within 10 seconds catalog shows the video with 2 watches by 2 unique watchers

  @B-O05 @B-P03 @needs_publish_raw
  Scenario: a published event delivered again, as after a relay crashed before marking it, changes nothing
    Given a ready catalog video and a viewer
    When the viewer reports watching half of the video
    And within 10 seconds the watch's event is published, and the broker delivers it 2 more times
    And another viewer reports watching half of the video
    Then within 10 seconds catalog shows the video with 2 watches by 2 unique watchers
