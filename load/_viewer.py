"""Viewer: profile reads and writes, over gRPC and over REST, through the same driver calls.

Entries are ``grpc <RPC>`` and ``rest <RPC>`` (GetProfile, ListFavorites, MutateFavorite,
UpsertWatchProgress); tag ``grpc`` or ``rest`` (``-T``) runs one surface only. REST tasks run only
when the target offers ``rest``. Now and then a call without the user header (``… GetProfile
anonymous``, expected UNAUTHENTICATED) makes the contract checks of error answers work too.
"""

from __future__ import annotations

import random
import uuid

from locust import between, tag, task
from locust.exception import RescheduleTask

from contracts.gen.profile.v1 import profile_pb2
from load._users import LingoUser
from steps.driver import Identity

WATCHED_VIDEOS = 5


class Viewer(LingoUser):
    """A signed-in user reading its profile, liking videos and reporting progress."""

    weight = 6
    wait_time = between(0.0, 0.1)

    def on_start(self) -> None:
        """Create the profile the reads will find, and pick the videos this viewer watches."""
        super().on_start()
        self.videos = [str(uuid.uuid4()) for _ in range(WATCHED_VIDEOS)]
        self.liked: set[str] = set()
        profile = profile_pb2.Profile(display_name=f"{self.run_id}viewer")
        self.call("grpc", "UpdateProfile", lambda: self.driver.update_profile(self.identity, "grpc", profile))

    def _surface(self, surface: str) -> str:
        if surface == "rest" and not self.can("rest"):
            raise RescheduleTask
        return surface

    def _get_profile(self, surface: str) -> None:
        self.call(surface, "GetProfile", lambda: self.driver.get_profile(self.identity, self._surface(surface)))

    def _list_favorites(self, surface: str) -> None:
        self.call(
            surface, "ListFavorites",
            lambda: self.driver.list_favorites(self.identity, self._surface(surface), page_size=10),
        )

    def _mutate_favorite(self, surface: str) -> None:
        video = random.choice(self.videos)  # noqa: S311 - test data
        add = video not in self.liked
        outcome = self.call(
            surface, "MutateFavorite",
            lambda: self.driver.mutate_favorite(self.identity, self._surface(surface), video, "like", add=add),
        )
        if outcome is not None and outcome.ok:
            (self.liked.add if add else self.liked.discard)(video)

    def _upsert_progress(self, surface: str) -> None:
        position = random.randint(1, 600)  # noqa: S311 - test data
        self.call(
            surface, "UpsertWatchProgress",
            lambda: self.driver.upsert_watch_progress(
                self.identity, self._surface(surface), random.choice(self.videos),  # noqa: S311
                position_seconds=position, progress_ratio=min(position / 600, 1.0), total_watch_seconds=position,
            ),
        )

    @tag("grpc", "profile")
    @task(3)
    def grpc_get_profile(self) -> None:
        """GetProfile over gRPC."""
        self._get_profile("grpc")

    @tag("rest", "profile")
    @task(3)
    def rest_get_profile(self) -> None:
        """GET /api/v1/profile."""
        self._get_profile("rest")

    @tag("grpc", "profile")
    @task(2)
    def grpc_list_favorites(self) -> None:
        """ListFavorites over gRPC."""
        self._list_favorites("grpc")

    @tag("rest", "profile")
    @task(2)
    def rest_list_favorites(self) -> None:
        """GET …/favorites."""
        self._list_favorites("rest")

    @tag("grpc", "profile")
    @task(1)
    def grpc_mutate_favorite(self) -> None:
        """Like or unlike over gRPC."""
        self._mutate_favorite("grpc")

    @tag("rest", "profile")
    @task(1)
    def rest_mutate_favorite(self) -> None:
        """PUT/DELETE …/favorites/{video}/like."""
        self._mutate_favorite("rest")

    @tag("grpc", "profile")
    @task(2)
    def grpc_upsert_progress(self) -> None:
        """UpsertWatchProgress over gRPC."""
        self._upsert_progress("grpc")

    @tag("rest", "profile")
    @task(2)
    def rest_upsert_progress(self) -> None:
        """PUT …/watch-progress/{video}."""
        self._upsert_progress("rest")

    @tag("grpc", "profile")
    @task(1)
    def grpc_anonymous(self) -> None:
        """GetProfile without an identity: refused with UNAUTHENTICATED and a reason."""
        self.call(
            "grpc", "GetProfile anonymous", lambda: self.driver.get_profile(Identity.anonymous(), "grpc"),
            expect="UNAUTHENTICATED",
        )

    @tag("rest", "profile")
    @task(1)
    def rest_anonymous(self) -> None:
        """GET /api/v1/profile without an identity: a 401 Problem Details with a reason."""
        self.call(
            "rest", "GetProfile anonymous",
            lambda: self.driver.get_profile(Identity.anonymous(), self._surface("rest")), expect="UNAUTHENTICATED",
        )
