"""Steps of the profile area (features/profile/): one sentence, one driver call or one check.

Every scenario names its surface (``grpc`` or ``rest``) once; each later call goes through it, so
one Scenario Outline states the same behaviour for both. Videos are named by letters in the
Gherkin ("A", "B") and get fresh ids per scenario from the ``videos`` fixture. Given and When
steps live here, Then steps in ``steps/profile_then.py`` (registered through this module).
"""

from __future__ import annotations

import concurrent.futures
import json
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from pytest_bdd import given, parsers, when

from contracts.gen.profile.v1 import profile_pb2
from steps.driver import Driver, Identity, Outcome
from steps.driver.outbox import video_event
from steps.driver.profile import SURFACES, profile_message, profile_values
from steps.profile_then import *  # noqa: F403 - the Then steps, registered by this plugin module
from steps.profile_then import succeeded

VERBS = {
    "likes": ("like", True),
    "unlikes": ("like", False),
    "bookmarks": ("bookmark", True),
    "unbookmarks": ("bookmark", False),
}


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def videos() -> defaultdict[str, str]:
    """Video ids by the names a scenario gives them, fresh per scenario."""
    return defaultdict(lambda: str(uuid.uuid4()))


@pytest.fixture
def other_user() -> Identity:
    """A second signed-in user of the scenario."""
    return Identity.of_user(str(uuid.uuid4()), alias="other")


@pytest.fixture
def reports() -> list[Outcome]:
    """The outcomes of the user's watch-progress reports, in order."""
    return []


@pytest.fixture
def liked_in_order() -> list[str]:
    """Names of the videos a Given liked or watched, oldest first."""
    return []


# -- Given --------------------------------------------------------------------------------------


@given(parsers.parse("the user talks to the profile service over {surface}"), target_fixture="surface")
def _(surface: str) -> str:
    assert surface in SURFACES, f"unknown surface {surface!r} in the feature file; use one of {SURFACES}"
    return surface


@given(parsers.parse('the user has a profile named "{name}"'))
def _(driver: Driver, caller: Identity, surface: str, name: str) -> None:
    succeeded(driver.update_profile(caller, surface, profile_pb2.Profile(display_name=name)))


@given("the user has this profile:", target_fixture="profile_before")
def _(driver: Driver, caller: Identity, surface: str, datatable: list[list[str]]) -> dict[str, Any]:
    values = dict(row for row in datatable[1:])
    outcome = succeeded(driver.update_profile(caller, surface, profile_message(values)))
    return profile_values(outcome.response.profile)


@given(parsers.parse('the user has renamed it to "{name}"'))
def _(driver: Driver, caller: Identity, surface: str, name: str) -> None:
    succeeded(driver.update_profile(caller, surface, profile_pb2.Profile(display_name=name)))


@given(parsers.re(r'the user has (?P<verb>liked|bookmarked) video "(?P<name>[^"]+)"'))
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], verb: str, name: str) -> None:
    succeeded(driver.mutate_favorite(caller, surface, videos[name], {"liked": "like", "bookmarked": "bookmark"}[verb], add=True))


@given(parsers.parse('another signed-in user has liked video "{name}"'))
def _(driver: Driver, other_user: Identity, surface: str, videos: dict[str, str], name: str) -> None:
    succeeded(driver.mutate_favorite(other_user, surface, videos[name], "like", add=True))


@given(parsers.parse('another signed-in user has watched video "{name}" for {seconds:d} seconds'))
@when(parsers.parse('another signed-in user has watched video "{name}" for {seconds:d} seconds'))
def _(driver: Driver, other_user: Identity, surface: str, videos: dict[str, str], name: str, seconds: int) -> None:
    succeeded(driver.upsert_watch_progress(
        other_user, surface, videos[name], position_seconds=seconds, progress_ratio=0.5, total_watch_seconds=seconds
    ))


@given(parsers.parse(
    'the user and another signed-in user have each liked video "{name}" and watched it, '
    "for {mine:d} and {theirs:d} seconds"
))
def _(
    driver: Driver, caller: Identity, other_user: Identity, surface: str, videos: dict[str, str], name: str,
    mine: int, theirs: int,
) -> None:
    for who, seconds in ((caller, mine), (other_user, theirs)):
        succeeded(driver.mutate_favorite(who, surface, videos[name], "like", add=True))
        succeeded(driver.upsert_watch_progress(
            who, surface, videos[name], position_seconds=seconds, progress_ratio=0.5, total_watch_seconds=seconds
        ))


@given(parsers.parse("the user has liked {count:d} videos one after another"))
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], liked_in_order: list[str], count: int) -> None:
    for number in range(count):
        succeeded(driver.mutate_favorite(caller, surface, videos[f"v{number}"], "like", add=True))
        liked_in_order.append(f"v{number}")


@given(parsers.parse("the user has watched {count:d} videos one after another"))
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], liked_in_order: list[str], count: int) -> None:
    for number in range(count):
        succeeded(driver.upsert_watch_progress(
            caller, surface, videos[f"v{number}"], position_seconds=10, progress_ratio=0.1, total_watch_seconds=10
        ))
        liked_in_order.append(f"v{number}")


@given(parsers.parse('the catalog has published video "{name}" titled "{title}"'))
def _(driver: Driver, videos: dict[str, str], run_id: str, name: str, title: str) -> None:
    driver.publish_event(video_event("catalog.video.created", videos[name], 1, title=run_id + title))


# -- When: profile ------------------------------------------------------------------------------


@when("the user reads their profile", target_fixture="outcome")
def _(driver: Driver, caller: Identity, surface: str) -> Outcome:
    return driver.get_profile(caller, surface)


@when(parsers.parse('the user sets their display name to "{name}"'), target_fixture="outcome")
def _(driver: Driver, caller: Identity, surface: str, name: str) -> Outcome:
    return driver.update_profile(caller, surface, profile_pb2.Profile(display_name=name))


@when(parsers.parse('the user sets their avatar URL to "{url}"'), target_fixture="outcome")
def _(driver: Driver, caller: Identity, surface: str, url: str) -> Outcome:
    return driver.update_profile(caller, surface, profile_pb2.Profile(avatar_url=url))


@when(parsers.parse('the user renames it to "{name}" expecting version {version:d}'), target_fixture="outcome")
def _(driver: Driver, caller: Identity, surface: str, name: str, version: int) -> Outcome:
    return driver.update_profile(caller, surface, profile_pb2.Profile(display_name=name), expected_version=version)


@when(
    parsers.parse("{clients:d} clients rename it at once, each expecting version {version:d}"),
    target_fixture="outcomes",
)
def _(driver: Driver, caller: Identity, surface: str, clients: int, version: int) -> list[Outcome]:
    start = threading.Barrier(clients)

    def rename(number: int) -> Outcome:
        start.wait()
        return driver.update_profile(
            caller, surface, profile_pb2.Profile(display_name=f"Ada {number}"), expected_version=version
        )

    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        return list(pool.map(rename, range(clients)))


@when(
    parsers.parse('the user updates their {what} with the mask "{mask}" and these values:'), target_fixture="outcome"
)
def _(driver: Driver, caller: Identity, surface: str, what: str, mask: str, datatable: list[list[str]]) -> Outcome:
    profile = profile_message(dict(row for row in datatable[1:]))
    if what == "preferences":
        return driver.update_preferences(caller, surface, profile.preferences, mask=mask.split(","))
    return driver.update_profile(caller, surface, profile, mask=mask.split(","))


# -- When: favourites ---------------------------------------------------------------------------


@when(parsers.re(r'the user (?P<verb>likes|unlikes|bookmarks|unbookmarks) video "(?P<name>[^"]+)"$'), target_fixture="outcome")
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], verb: str, name: str) -> Outcome:
    kind, add = VERBS[verb]
    return driver.mutate_favorite(caller, surface, videos[name], kind, add=add)


@when(parsers.parse('the user likes the video id "{video_id}"'), target_fixture="outcome")
def _(driver: Driver, caller: Identity, surface: str, video_id: str) -> Outcome:
    return driver.mutate_favorite(caller, surface, video_id, "like", add=True)


@when(parsers.parse("the user lists their favourites {size:d} at a time"), target_fixture="outcome")
def _(driver: Driver, caller: Identity, surface: str, size: int) -> Outcome:
    return driver.list_favorites(caller, surface, page_size=size)


@when(parsers.parse('the user likes video "{name}" {times:d} times at once'), target_fixture="outcomes")
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], name: str, times: int) -> list[Outcome]:
    start = threading.Barrier(times)

    def like(_: int) -> Outcome:
        start.wait()
        return driver.mutate_favorite(caller, surface, videos[name], "like", add=True)

    with concurrent.futures.ThreadPoolExecutor(times) as pool:
        return list(pool.map(like, range(times)))


@when(parsers.parse('the user queries videos "{names}" with their counters'), target_fixture="outcome")
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], names: str) -> Outcome:
    return driver.batch_query_favorites(caller, surface, [videos[n.strip()] for n in names.split(",")])


@when(parsers.parse('the user queries the video ids "{ids}" with their counters'), target_fixture="outcome")
def _(driver: Driver, caller: Identity, surface: str, ids: str) -> Outcome:
    return driver.batch_query_favorites(caller, surface, [i.strip() for i in ids.split(",")])


@when(parsers.parse("the user walks through their favourites {size:d} at a time"), target_fixture="pages")
def _(driver: Driver, caller: Identity, surface: str, size: int) -> list[Outcome]:
    return driver.walk_favorites(caller, surface, size)


@when(parsers.parse("the user walks through their watch history {size:d} at a time"), target_fixture="pages")
def _(driver: Driver, caller: Identity, surface: str, size: int) -> list[Outcome]:
    return driver.walk_watch_history(caller, surface, size)


@when(parsers.parse("the user lists the first {size:d} favourites"), target_fixture="first_page")
def _(driver: Driver, caller: Identity, surface: str, size: int) -> Outcome:
    return succeeded(driver.list_favorites(caller, surface, page_size=size))


@when("the user lists the next page of favourites", target_fixture="next_page")
def _(driver: Driver, caller: Identity, surface: str, first_page: Outcome) -> Outcome:
    page = first_page.response
    return succeeded(
        driver.list_favorites(caller, surface, page_size=len(page.favorites), page_token=page.next_page_token)
    )


@when(parsers.parse("the user lists their {listing} with the page token {token}"), target_fixture="outcome")
def _(driver: Driver, caller: Identity, other_user: Identity, surface: str, listing: str, token: str) -> Outcome:
    issued_by = {
        "of another user's favourites": other_user,
        "of the user's own favourites": caller,
        "of the user's own favourites, altered": caller,
    }
    if token in issued_by:
        issued = driver.issued_favorites_token(issued_by[token], surface)
        token = altered_token(issued) if token.endswith("altered") else issued
    else:
        token = json.loads(token)
    if listing == "favourites":
        return driver.list_favorites(caller, surface, page_size=1, page_token=token)
    return driver.list_watch_history(caller, surface, page_size=1, page_token=token)


def altered_token(token: str) -> str:
    """``token`` with one character changed: ten from the end (inside any integrity check it carries),
    or in the middle of a token shorter than that."""
    position = len(token) - 10 if len(token) >= 10 else len(token) // 2
    return token[:position] + ("B" if token[position] == "A" else "A") + token[position + 1 :]


# -- When: watch progress -----------------------------------------------------------------------


@when(
    parsers.re(
        r'the user reports watching video "(?P<name>[^"]+)" at (?P<percent>-?\d+) % '
        r"with (?P<seconds>-?\d+) seconds watched in total$"
    ),
    converters={"percent": int, "seconds": int},
    target_fixture="outcome",
)
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], reports: list[Outcome], name: str,
      percent: int, seconds: int) -> Outcome:
    outcome = driver.upsert_watch_progress(
        caller, surface, videos[name], position_seconds=percent, progress_ratio=percent / 100,
        total_watch_seconds=seconds,
    )
    reports.append(outcome)
    return outcome


@when(parsers.parse('the user reports watching video "{name}" at these percentages: {percentages}'))
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], name: str, percentages: str) -> None:
    for percent in (int(p) for p in percentages.split(",")):
        succeeded(driver.upsert_watch_progress(
            caller, surface, videos[name], position_seconds=percent, progress_ratio=percent / 100,
            total_watch_seconds=percent,
        ))


@when("the user lists their watch history", target_fixture="outcome")
def _(driver: Driver, caller: Identity, surface: str) -> Outcome:
    return driver.list_watch_history(caller, surface)


@when("the user purges their data", target_fixture="outcome")
def _(driver: Driver, caller: Identity, surface: str) -> Outcome:
    return driver.purge_user_data(caller, surface)


@when("the user purges their data naming the other user", target_fixture="outcome")
def _(driver: Driver, caller: Identity, other_user: Identity, surface: str) -> Outcome:
    return driver.purge_user_data(caller, surface, user_id=other_user.user_id)


# -- When: any operation, for identity and ownership --------------------------------------------

Operation = Callable[[Driver, Identity, str, str | None, str], Outcome]
OPERATIONS: dict[str, Operation] = {
    "reads their profile": lambda d, who, s, user, video: d.get_profile(who, s, user_id=user or ""),
    "updates their profile": lambda d, who, s, user, video: d.update_profile(
        who, s, profile_pb2.Profile(display_name="Mallory"), user_id=user or ""
    ),
    "updates their preferences": lambda d, who, s, user, video: d.update_preferences(
        who, s, profile_pb2.Preferences(learning_goal="everything"), user_id=user or ""
    ),
    "likes a video": lambda d, who, s, user, video: d.mutate_favorite(who, s, video, "like", add=True, user_id=user),
    "unlikes a video": lambda d, who, s, user, video: d.mutate_favorite(who, s, video, "like", add=False, user_id=user),
    "queries favourites in batch": lambda d, who, s, user, video: d.batch_query_favorites(who, s, [video], user_id=user),
    "lists their favourites": lambda d, who, s, user, video: d.list_favorites(who, s, user_id=user),
    "reports watch progress": lambda d, who, s, user, video: d.upsert_watch_progress(
        who, s, video, position_seconds=30, progress_ratio=0.5, total_watch_seconds=30, user_id=user
    ),
    "lists their watch history": lambda d, who, s, user, video: d.list_watch_history(who, s, user_id=user),
    "purges their data": lambda d, who, s, user, video: d.purge_user_data(who, s, user_id=user),
}


_ANY_OPERATION = "(?P<operation>" + "|".join(OPERATIONS) + ")"


@when(parsers.re(f"the user {_ANY_OPERATION} naming another user$"), target_fixture="outcome")
def _(driver: Driver, caller: Identity, other_user: Identity, surface: str, videos: dict[str, str], operation: str) -> Outcome:
    return OPERATIONS[operation](driver, caller, surface, other_user.user_id, videos["A"])


@when(parsers.re(f"the caller {_ANY_OPERATION}$"), target_fixture="outcome")
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], operation: str) -> Outcome:
    return OPERATIONS[operation](driver, caller, surface, None, videos["A"])
