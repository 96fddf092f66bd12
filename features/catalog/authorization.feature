@catalog @needs_grpc @creates_own @B-X02
Feature: Only internal services write the catalog, and only owners see what is not public
  Every CatalogLifecycleService RPC is for internal callers (the upload runner, the media and AI
  pipelines, moderation). A call MUST present a service identity (by default the metadata
  x-md-actor-type "service" and x-md-actor-id of an allow-listed service; a deployment may name
  its own in the target's service_identity): a call with no identity at all is UNAUTHENTICATED, a
  signed-in user — the owner included — or an unknown service is PERMISSION_DENIED, and neither
  changes anything. A video that is not public (public = ready or published, visibility public)
  MUST be readable only by its owner and internal callers; anyone else gets NOT_FOUND, so its
  existence does not leak. The original's raw_file_reference MUST reach only the owner and
  internal callers.

  Background:
    Given a video registered by the pipeline

  Scenario Outline: <rpc> without any identity is UNAUTHENTICATED and changes nothing
    When a caller with no identity calls <rpc> on the video
    Then the call fails with UNAUTHENTICATED and reason "ERROR_REASON_UNAUTHENTICATED"
    And the video is still at version 1 and its owner has 1 video

    Examples:
      | rpc                    |
      | RegisterUpload         |
      | UpdateOriginalMedia    |
      | UpdateProcessingStatus |
      | UpdateMediaInfo        |
      | UpdateAIAttributes     |
      | ArchiveVideo           |
      | PublishVideo           |
      | RejectVideo            |
      | OverrideVisibility     |

  Scenario Outline: <rpc> by a signed-in user, even the owner, is PERMISSION_DENIED and changes nothing
    When the owner calls <rpc> on the video
    Then the call fails with PERMISSION_DENIED and reason "ERROR_REASON_PERMISSION_DENIED"
    And the video is still at version 1 and its owner has 1 video

    Examples:
      | rpc                    |
      | RegisterUpload         |
      | UpdateOriginalMedia    |
      | UpdateProcessingStatus |
      | UpdateMediaInfo        |
      | UpdateAIAttributes     |
      | ArchiveVideo           |
      | PublishVideo           |
      | RejectVideo            |
      | OverrideVisibility     |

  Scenario: a service the catalog does not know is PERMISSION_DENIED
    When the service "not-on-the-allow-list" calls ArchiveVideo on the video
    Then the call fails with PERMISSION_DENIED and reason "ERROR_REASON_PERMISSION_DENIED"
    And the video is still at version 1 and its owner has 1 video

  @B-C08
  Scenario Outline: <read> of a video that is not public: <reader> <sees>
    When <reader> reads the video's <read>
    Then the read <sees>

    Examples:
      | read     | reader                 | sees                                    |
      | metadata | the owner              | succeeds with the raw file reference    |
      | metadata | the pipeline           | succeeds with the raw file reference    |
      | metadata | another user           | fails with NOT_FOUND                    |
      | metadata | a caller with no identity | fails with NOT_FOUND                 |
      | detail   | another user           | fails with NOT_FOUND                    |
      | detail   | a caller with no identity | fails with NOT_FOUND                 |

  @B-C08
  Scenario Outline: <read> of a ready video made private: <reader> <sees>
    Given the pipeline has made the video ready
    And moderation has made the video private
    When <reader> reads the video's <read>
    Then the read <sees>

    Examples:
      | read     | reader       | sees                                 |
      | detail   | the owner    | succeeds                             |
      | detail   | another user | fails with NOT_FOUND                 |
      | metadata | another user | fails with NOT_FOUND                 |
      | metadata | the owner    | succeeds with the raw file reference |

  @B-C08
  Scenario Outline: <read> of a public video: <reader> <sees>
    Given the pipeline has made the video ready and published it
    When <reader> reads the video's <read>
    Then the read <sees>

    Examples:
      | read     | reader                    | sees                                    |
      | metadata | the owner                 | succeeds with the raw file reference    |
      | metadata | the pipeline              | succeeds with the raw file reference    |
      | metadata | another user              | succeeds without the raw file reference |
      | metadata | a caller with no identity | succeeds without the raw file reference |
      | detail   | another user              | succeeds                                |
      | detail   | a caller with no identity | succeeds                                |

  @B-C09
  Scenario: listing one's uploads needs an identity
    When a caller with no identity lists their uploads
    Then the call fails with UNAUTHENTICATED and reason "ERROR_REASON_VIDEO_UPDATE_INVALID"
