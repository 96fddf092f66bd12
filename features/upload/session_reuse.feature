@upload @needs_grpc @creates_own
Feature: One upload session per user and file
  While a file is being uploaded, the same user declaring the same content (same MD5) MUST get the
  same video id back, with the latest title and description kept, and the same URL while it is
  still valid. Another user declaring the same content gets a session of their own. Concurrent
  calls MUST NOT reserve more than one session.

  Background:
    Given a signed-in user

  @B-U05
  Scenario: calling again for the same file returns the same session with the latest metadata
    Given the user has initialised an upload of a new 5 MiB "video/mp4" file
    When the user initialises an upload of the same file with the title "second try"
    Then the call succeeds
    And the video id is the one reserved before
    And the session URL is the one handed out before
    And the user's upload of that video is titled "second try"

  @B-U05 @needs_clock
  Scenario: a URL close to its expiry is replaced by a fresh one for the same video
    Given the user has initialised an upload of a new 5 MiB "video/mp4" file
    When the URL's expiry is less than 30 seconds away
    And the user initialises an upload of the same file
    Then the video id is the one reserved before
    And the session URL is a fresh one that expires later

  @B-U06
  Scenario: another user uploading the same content gets a session of their own
    Given the user has initialised an upload of a new 5 MiB "video/mp4" file
    When another signed-in user initialises an upload of the same content
    Then the call succeeds
    And the video id differs from the one reserved before

  @B-U07
  Scenario: ten simultaneous calls for one file reserve one session
    When the user initialises an upload of the same new file 10 times at once
    Then all 10 calls succeed with the same video id
    And the user has exactly 1 upload
