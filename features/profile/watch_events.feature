@profile @creates_own @needs_observe_events @B-R12 @B-X03
Feature: Watch progress is published in steps of 5 %
  The profile service MUST publish `profile.watch.progressed` when a user's progress on a video
  first reaches 5 %, and again each time it is at least 5 % above the progress of the last event
  it published for them — not merely above the previous report — and never for smaller changes.

  Background:
    Given a signed-in user

  Scenario Outline: events at 5 %, then at each 5 % gain over the last published one (<surface>)
    Given the user talks to the profile service over <surface>
    When the user reports watching video "A" at these percentages: 3, 5, 9, 13, 16, 10, 17, 30
    Then within 10 seconds the watch events of video "A" carry exactly the percentages 5, 13, 30

    @needs_grpc
    Examples: gRPC
      | surface |
      | grpc    |

    @needs_rest
    Examples: REST
      | surface |
      | rest    |
