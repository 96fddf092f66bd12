@upload @needs_grpc @creates_own @needs_storage
Feature: Storage accepts a session URL only as it was signed, once, and in time
  A session URL MUST let a client write only the signed object, with the signed headers, before
  it expires; a second write to an object that exists MUST fail at finalize, leaving the first
  object and its video untouched. After expiry a new Init gives a fresh URL that works.

  Background:
    Given a signed-in user
    And the user has initialised an upload of a new 1 MiB "video/mp4" file

  @B-U18
  Scenario Outline: a session URL used <how> is refused
    When the client starts a session with the URL <how>
    Then storage refuses it with 403 "<code>"

    Examples:
      | how                                    | code                  |
      | for another object                     | SignatureDoesNotMatch |
      | with another content type              | SignatureDoesNotMatch |
      | without the generation precondition    | SignatureDoesNotMatch |

  @B-U13 @needs_clock
  Scenario: an expired URL is refused and a new Init gives one that works
    When the URL's lifetime has passed
    And the client starts a session with the URL as signed
    Then storage refuses it with 400 "ExpiredToken"
    When the user initialises an upload of the same file
    Then the session URL is a fresh one that expires later
    And the client can start a session with the new URL

  @B-U14 @needs_observe_events
  Scenario: a second writer to the stored object fails at finalize
    Given the user has written the file through the session URL and the upload completed
    When someone writes other bytes through the same session URL in one request
    Then storage refuses it with 412 "PreconditionFailed"
    And storage still holds the first file
    And within 15 seconds the video's events are exactly "catalog.video.created" then "catalog.video.updated"
