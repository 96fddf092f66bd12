"""Field-mask paths reach a ProfileService in the form deployed ones accept.

A real deployment (upstream's Go service) reads UpdateProfile paths rooted at the request's
``profile`` field (``profile.display_name``, ``profile.preferences.learning_goal``) and
UpdatePreferences paths as bare preference names (``learning_goal``). A gRPC server on loopback
records what the driver sends.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest

from contracts.gen.profile.v1 import profile_pb2, profile_pb2_grpc
from fixtures.targets import TargetConfig
from steps.driver import Driver, Identity


class RecordingProfileService(profile_pb2_grpc.ProfileServiceServicer):
    """Answers the two update RPCs with an empty profile and keeps their masks."""

    def __init__(self) -> None:
        self.masks: list[list[str]] = []

    def UpdateProfile(self, request, context):  # noqa: N802, ANN001, ANN201 - gRPC's names
        self.masks.append(list(request.update_mask.paths))
        return profile_pb2.UpdateProfileResponse(profile=profile_pb2.Profile(display_name="x"))

    def UpdatePreferences(self, request, context):  # noqa: N802, ANN001, ANN201
        self.masks.append(list(request.update_mask.paths))
        return profile_pb2.UpdatePreferencesResponse(profile=profile_pb2.Profile(display_name="x"))


@pytest.fixture
def service() -> Iterator[tuple[RecordingProfileService, Driver]]:
    recording = RecordingProfileService()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    profile_pb2_grpc.add_ProfileServiceServicer_to_server(recording, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    driver = Driver(TargetConfig(name="recording", profile_grpc=f"127.0.0.1:{port}", capabilities=frozenset({"grpc"})))
    yield recording, driver
    driver.close()
    server.stop(grace=None)


def test_update_profile_paths_are_rooted_at_the_profile(service: tuple[RecordingProfileService, Driver]) -> None:
    recording, driver = service
    driver.update_profile(
        Identity.of_user(str(uuid.uuid4())), "grpc", profile_pb2.Profile(display_name="Grace"),
        mask=["display_name", "preferences.learning_goal", "preferences.extra"],
    )
    assert recording.masks == [["profile.display_name", "profile.preferences.learning_goal", "profile.preferences.extra"]]


def test_update_preferences_paths_are_bare_preference_names(service: tuple[RecordingProfileService, Driver]) -> None:
    recording, driver = service
    driver.update_preferences(
        Identity.of_user(str(uuid.uuid4())), "grpc", profile_pb2.Preferences(learning_goal="C1"),
        mask=["learning_goal", "preferences.extra"],
    )
    assert recording.masks == [["learning_goal", "extra"]]
