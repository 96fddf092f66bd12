"""Steps of the profile area (features/profile/): one sentence, one driver call or one check.

Every scenario names its surface (``grpc`` or ``rest``) once; each later call goes through it, so
one Scenario Outline states the same behaviour for both. Videos are named by letters in the
Gherkin ("A", "B") and get fresh ids per scenario from the ``videos`` fixture.
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
from pytest_bdd import given, parsers, then, when

from contracts.gen.profile.v1 import profile_pb2
from steps.driver import Driver, Identity, Outcome
from steps.eventually import eventually
from steps.outbox_driver import video_event
from steps.profile_driver import SURFACES, profile_message, profile_values

ENGAGEMENT_TOPIC = "profile.engagement.events"
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
    return Identity.of_user(str(uuid.uuid4()))


@pytest.fixture
def reports() -> list[Outcome]:
    """The outcomes of the user's watch-progress reports, in order."""
    return []


@pytest.fixture
def liked_in_order() -> list[str]:
    """Names of the videos a Given liked or watched, oldest first."""
    return []


def _succeeded(outcome: Outcome) -> Outcome:
    assert outcome.ok, f"{outcome.operation}: setup expected OK, received {outcome.code} {outcome.reason} ({outcome.message!r})"
    return outcome


def _value(field: str, text: str) -> Any:
    if field == "preferences.extra":
        return json.loads(text)
    if field == "preferences.daily_quota_minutes":
        return int(text)
    return text


def _percent(ratio: float) -> int:
    return round(ratio * 100)


# -- Given --------------------------------------------------------------------------------------


@given(parsers.parse("the user talks to the profile service over {surface}"), target_fixture="surface")
def _(surface: str) -> str:
    assert surface in SURFACES, f"unknown surface {surface!r} in the feature file; use one of {SURFACES}"
    return surface


@given(parsers.parse('the user has a profile named "{name}"'))
def _(driver: Driver, caller: Identity, surface: str, name: str) -> None:
    _succeeded(driver.update_profile(caller, surface, profile_pb2.Profile(display_name=name)))


@given("the user has this profile:", target_fixture="profile_before")
def _(driver: Driver, caller: Identity, surface: str, datatable: list[list[str]]) -> dict[str, Any]:
    values = dict(row for row in datatable[1:])
    outcome = _succeeded(driver.update_profile(caller, surface, profile_message(values)))
    return profile_values(outcome.response.profile)


@given(parsers.parse('the user has renamed it to "{name}"'))
def _(driver: Driver, caller: Identity, surface: str, name: str) -> None:
    _succeeded(driver.update_profile(caller, surface, profile_pb2.Profile(display_name=name)))


@given(parsers.re(r'the user has (?P<verb>liked|bookmarked) video "(?P<name>[^"]+)"'))
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], verb: str, name: str) -> None:
    _succeeded(driver.mutate_favorite(caller, surface, videos[name], {"liked": "like", "bookmarked": "bookmark"}[verb], add=True))


@given(parsers.parse('another signed-in user has liked video "{name}"'))
def _(driver: Driver, other_user: Identity, surface: str, videos: dict[str, str], name: str) -> None:
    _succeeded(driver.mutate_favorite(other_user, surface, videos[name], "like", add=True))


@given(parsers.parse('another signed-in user has watched video "{name}" for {seconds:d} seconds'))
@when(parsers.parse('another signed-in user has watched video "{name}" for {seconds:d} seconds'))
def _(driver: Driver, other_user: Identity, surface: str, videos: dict[str, str], name: str, seconds: int) -> None:
    _succeeded(driver.upsert_watch_progress(
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
        _succeeded(driver.mutate_favorite(who, surface, videos[name], "like", add=True))
        _succeeded(driver.upsert_watch_progress(
            who, surface, videos[name], position_seconds=seconds, progress_ratio=0.5, total_watch_seconds=seconds
        ))


@given(parsers.parse("the user has liked {count:d} videos one after another"))
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], liked_in_order: list[str], count: int) -> None:
    for number in range(count):
        _succeeded(driver.mutate_favorite(caller, surface, videos[f"v{number}"], "like", add=True))
        liked_in_order.append(f"v{number}")


@given(parsers.parse("the user has watched {count:d} videos one after another"))
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], liked_in_order: list[str], count: int) -> None:
    for number in range(count):
        _succeeded(driver.upsert_watch_progress(
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
    return _succeeded(driver.list_favorites(caller, surface, page_size=size))


@when("the user lists the next page of favourites", target_fixture="next_page")
def _(driver: Driver, caller: Identity, surface: str, first_page: Outcome) -> Outcome:
    page = first_page.response
    return _succeeded(
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
        token = _altered(issued) if token.endswith("altered") else issued
    else:
        token = json.loads(token)
    if listing == "favourites":
        return driver.list_favorites(caller, surface, page_size=1, page_token=token)
    return driver.list_watch_history(caller, surface, page_size=1, page_token=token)


def _altered(token: str) -> str:
    """``token`` with one character changed, ten from the end (inside any integrity check it carries)."""
    position = len(token) - 10
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
        _succeeded(driver.upsert_watch_progress(
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


# -- Then ---------------------------------------------------------------------------------------


@then(parsers.parse('the profile has display name "{name}" at version {version:d}'))
def _(outcome: Outcome, name: str, version: int) -> None:
    assert outcome.ok, f"{outcome.operation}: expected the profile, received {outcome.code} ({outcome.message!r})"
    profile = outcome.response.profile
    assert (profile.display_name, profile.profile_version) == (name, version), (
        f"{outcome.operation}: expected {name!r} at version {version}, "
        f"received {profile.display_name!r} at version {profile.profile_version}"
    )


@then(parsers.parse('the user\'s profile still has display name "{name}" at version {version:d}'))
def _(driver: Driver, caller: Identity, surface: str, name: str, version: int) -> None:
    profile = _succeeded(driver.get_profile(caller, surface)).response.profile
    assert (profile.display_name, profile.profile_version) == (name, version), (
        f"expected the profile unchanged: {name!r} at version {version}; "
        f"received {profile.display_name!r} at version {profile.profile_version}"
    )


@then(parsers.parse("the user's profile is at version {version:d}"))
def _(driver: Driver, caller: Identity, surface: str, version: int) -> None:
    profile = _succeeded(driver.get_profile(caller, surface)).response.profile
    assert profile.profile_version == version, f"expected version {version}, received {profile.profile_version}"


@then(parsers.parse(
    'exactly {winners:d} of the calls succeeds and the others fail with {code} and reason "{reason}"'
))
def _(outcomes: list[Outcome], winners: int, code: str, reason: str) -> None:
    answers = sorted((o.code, o.reason or "") for o in outcomes)
    expected = sorted([("OK", "")] * winners + [(code, reason)] * (len(outcomes) - winners))
    assert answers == expected, f"{outcomes[0].operation}: expected {expected}, received {answers}"


@then(parsers.parse("the profile's {field} is {value} and every other field is unchanged"))
def _(outcome: Outcome, profile_before: dict[str, Any], field: str, value: str) -> None:
    assert outcome.ok, f"{outcome.operation}: expected success, received {outcome.code} ({outcome.message!r})"
    expected = {**profile_before, field: _value(field, value)}
    received = profile_values(outcome.response.profile)
    changed = {k: (expected[k], received[k]) for k in expected if expected[k] != received[k]}
    assert not changed, f"{outcome.operation}: fields differ from what the mask allows (expected, received): {changed}"


@then(parsers.parse("all {times:d} calls succeed"))
def _(outcomes: list[Outcome], times: int) -> None:
    failed = [(o.code, o.reason, o.message) for o in outcomes if not o.ok]
    assert len(outcomes) == times and not failed, f"expected {times} successes, received failures {failed}"


def _summary(driver: Driver, caller: Identity, surface: str, video_id: str) -> profile_pb2.FavoriteSummary:
    return _succeeded(driver.batch_query_favorites(caller, surface, [video_id])).response.summaries[0]


@then(parsers.re(r'video "(?P<name>[^"]+)" has (?P<likes>\d+) likes? and (?P<bookmarks>\d+) bookmarks?$'))
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], name: str, likes: str, bookmarks: str) -> None:
    stats = _summary(driver, caller, surface, videos[name]).stats
    received = (stats.like_count, stats.bookmark_count)
    assert received == (int(likes), int(bookmarks)), f"video {name}: expected (likes, bookmarks) ({likes}, {bookmarks}), received {received}"


@then(parsers.re(
    r'the user (?P<like>likes|does not like|has not liked) video "(?P<name>[^"]+)" '
    r"(?:but|and) (?P<bookmark>has bookmarked|has not bookmarked|does not bookmark) it$"
))
@then(parsers.re(
    r'the user (?P<bookmark>has bookmarked|has not bookmarked) video "(?P<name>[^"]+)" '
    r"(?:but|and) (?P<like>likes|does not like) it$"
))
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], like: str, bookmark: str, name: str) -> None:
    state = _summary(driver, caller, surface, videos[name]).state
    expected = (like == "likes", bookmark == "has bookmarked")
    assert (state.has_liked, state.has_bookmarked) == expected, (
        f"video {name}: expected (liked, bookmarked) {expected}, received ({state.has_liked}, {state.has_bookmarked})"
    )


@then("the answer is, in this order:")
def _(outcome: Outcome, videos: dict[str, str], datatable: list[list[str]]) -> None:
    expected = [
        (videos[row[0]], row[1] == "yes", row[2] == "yes", int(row[3]), int(row[4])) for row in datatable[1:]
    ]
    received = [
        (s.video_id, s.state.has_liked, s.state.has_bookmarked, s.stats.like_count, s.stats.bookmark_count)
        for s in outcome.response.summaries
    ]
    names = {video_id: name for name, video_id in videos.items()}
    assert received == expected, (
        f"{outcome.operation}: expected {[(names[e[0]], *e[1:]) for e in expected]}, "
        f"received {[(names.get(r[0], r[0]), *r[1:]) for r in received]}"
    )


@then(parsers.re(r"the pages hold (?P<counts>[0-9, and]+) (?P<things>favourites|entries)$"))
def _(pages: list[Outcome], counts: str, things: str) -> None:
    expected = [int(c) for c in counts.replace(" and ", ", ").split(",")]
    received = [len(_items(_succeeded(page))) for page in pages]
    assert received == expected, f"{pages[0].operation}: expected pages of {expected} {things}, received {received}"
    tokens = [page.response.next_page_token for page in pages[:-1]]
    numeric = [t for t in tokens if t.isdigit()]
    assert not numeric, f"page tokens must be opaque keyset tokens, received bare offsets {numeric}"


def _items(outcome: Outcome) -> list[Any]:
    response = outcome.response
    return list(response.favorites) if hasattr(response, "favorites") else list(response.items)


@then(parsers.re(r"together they list the (?P<count>\d+) (?:liked|watched) videos once each, (?:newest|most recent) first"))
def _(pages: list[Outcome], videos: dict[str, str], liked_in_order: list[str], count: str) -> None:
    received = [item.video_id for page in pages for item in _items(page)]
    expected = [videos[name] for name in reversed(liked_in_order)]
    assert len(expected) == int(count)
    assert received == expected, _listing_message(pages[0].operation, expected, received, videos)


@then(parsers.parse("the two pages together list the {count:d} earlier videos once each, newest first"))
def _(first_page: Outcome, next_page: Outcome, videos: dict[str, str], liked_in_order: list[str], count: int) -> None:
    received = [item.video_id for page in (first_page, next_page) for item in _items(page)]
    expected = [videos[name] for name in reversed(liked_in_order)]
    assert len(expected) == count
    assert received == expected, _listing_message(first_page.operation, expected, received, videos)


def _listing_message(operation: str, expected: list[str], received: list[str], videos: dict[str, str]) -> str:
    names = {video_id: name for name, video_id in videos.items()}
    return (
        f"{operation}: expected {[names[v] for v in expected]}, received {[names.get(v, v) for v in received]} "
        "(a missing one was skipped, a doubled one repeated)"
    )


@then(parsers.parse("the stored progress is {percent:d} % with {seconds:d} seconds watched in total"))
def _(outcome: Outcome, percent: int, seconds: int) -> None:
    progress = _succeeded(outcome).response.progress
    received = (_percent(progress.progress_ratio), progress.total_watch_seconds)
    assert received == (percent, seconds), f"expected ({percent} %, {seconds} s), received {received}"


@then("the first watch time is the one of the user's first report")
def _(outcome: Outcome, reports: list[Outcome]) -> None:
    first = reports[0].response.progress.first_watched_at.ToJsonString()
    now = outcome.response.progress.first_watched_at.ToJsonString()
    assert now == first, f"expected first_watched_at to stay {first}, received {now}"


@then(parsers.parse('video "{name}" has been watched for {seconds:d} seconds in total'))
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], name: str, seconds: int) -> None:
    stats = _summary(driver, caller, surface, videos[name]).stats
    assert stats.total_watch_seconds == seconds, f"video {name}: expected {seconds} s in total, received {stats.total_watch_seconds}"


@then(parsers.re(r'video "(?P<name>[^"]+)" has (?P<count>\d+) unique watchers?$'))
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], name: str, count: str) -> None:
    stats = _summary(driver, caller, surface, videos[name]).stats
    assert stats.unique_watchers == int(count), f"video {name}: expected {count} unique watchers, received {stats.unique_watchers}"


@then(parsers.parse('the history lists videos "{names}" in this order'))
def _(outcome: Outcome, videos: dict[str, str], names: str) -> None:
    expected = [videos[n.strip()] for n in names.split(",")]
    received = [item.video_id for item in _succeeded(outcome).response.items]
    assert received == expected, _listing_message(outcome.operation, expected, received, videos)


@then(parsers.parse('the history shows {first:d} % for video "{a}" and {second:d} % for video "{b}"'))
def _(outcome: Outcome, videos: dict[str, str], first: int, a: str, second: int, b: str) -> None:
    shown = {item.video_id: _percent(item.progress.progress_ratio) for item in outcome.response.items}
    assert (shown.get(videos[a]), shown.get(videos[b])) == (first, second), f"expected ({first} %, {second} %), received {shown}"


@then("every history entry expires after it was last watched")
def _(outcome: Outcome) -> None:
    for item in outcome.response.items:
        progress = item.progress
        assert progress.HasField("expires_at"), f"{outcome.operation}: entry {item.video_id} has no expires_at"
        assert progress.expires_at.ToDatetime() > progress.last_watched_at.ToDatetime(), (
            f"entry {item.video_id}: expected expires_at after last_watched_at, received "
            f"{progress.expires_at.ToJsonString()} <= {progress.last_watched_at.ToJsonString()}"
        )


@then("the user has no favourites")
def _(driver: Driver, caller: Identity, surface: str) -> None:
    favourites = _succeeded(driver.list_favorites(caller, surface)).response.favorites
    assert not favourites, f"expected no favourites, received {[f.video_id for f in favourites]}"


@then("the call returns a purge task id")
def _(outcome: Outcome) -> None:
    assert _succeeded(outcome).response.purge_task_id, f"{outcome.operation}: expected a purge_task_id, received none"


@then("the user has no profile, no favourites and no watch history")
def _(driver: Driver, caller: Identity, surface: str) -> None:
    profile = driver.get_profile(caller, surface)
    favourites = _succeeded(driver.list_favorites(caller, surface)).response.favorites
    history = _succeeded(driver.list_watch_history(caller, surface)).response.items
    assert (profile.code, len(favourites), len(history)) == ("NOT_FOUND", 0, 0), (
        f"expected (NOT_FOUND, 0 favourites, 0 history entries), received ({profile.code}, {len(favourites)}, {len(history)})"
    )


@then(parsers.parse('video "{name}" has {likes:d} like, {watchers:d} unique watcher and {seconds:d} seconds watched in total'))
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], name: str, likes: int, watchers: int, seconds: int) -> None:
    stats = _summary(driver, caller, surface, videos[name]).stats
    received = (stats.like_count, stats.unique_watchers, stats.total_watch_seconds)
    assert received == (likes, watchers, seconds), f"video {name}: expected {(likes, watchers, seconds)}, received {received}"


@then(parsers.re(r'the other user still likes video "(?P<name>[^"]+)"(?P<history> and has it in their watch history)?$'))
def _(driver: Driver, other_user: Identity, surface: str, videos: dict[str, str], name: str, history: str | None) -> None:
    assert _summary(driver, other_user, surface, videos[name]).state.has_liked, f"the other user no longer likes video {name}"
    if history:
        items = _succeeded(driver.list_watch_history(other_user, surface)).response.items
        assert [i.video_id for i in items] == [videos[name]], f"the other user's history lost video {name}: {items}"


@then(parsers.parse('within {seconds:d} seconds the events of video "{name}" are exactly:'))
def _(driver: Driver, videos: dict[str, str], seconds: int, name: str, datatable: list[list[str]]) -> None:
    expected = [tuple(row) for row in datatable[1:]]
    events = eventually(
        lambda: driver.events(ENGAGEMENT_TOPIC, aggregate_id=videos[name]),
        until=lambda found: len(found) >= len(expected),
        timeout=seconds,
        what=f"{len(expected)} engagement events of video {name}",
    )
    received = []
    for event in events:
        payload = event.payload_json()
        stats = payload.get("stats", {})
        received.append((
            event.event_type, payload.get("favoriteType"), stats.get("likeCount", "0"), stats.get("bookmarkCount", "0")
        ))
    assert received == expected, f"video {name}: expected events {expected}, received {received}"


@then(parsers.parse('within {seconds:d} seconds the watch events of video "{name}" carry exactly the percentages {percentages}'))
def _(driver: Driver, videos: dict[str, str], seconds: int, name: str, percentages: str) -> None:
    expected = [int(p) for p in percentages.split(",")]
    events = eventually(
        lambda: driver.events(ENGAGEMENT_TOPIC, aggregate_id=videos[name], event_type="profile.watch.progressed"),
        until=lambda found: len(found) >= len(expected),
        timeout=seconds,
        what=f"{len(expected)} watch events of video {name}",
    )
    received = [_percent(event.payload.progress.progress_ratio) for event in events]
    assert received == expected, f"video {name}: expected watch events at {expected} %, received {received} %"


@then(parsers.parse('within {seconds:d} seconds the user\'s watch history shows video "{name}" titled "{title}"'))
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], run_id: str, seconds: int, name: str,
      title: str) -> None:
    def titles() -> dict[str, str]:
        items = _succeeded(driver.list_watch_history(caller, surface)).response.items
        return {item.video_id: item.video.title for item in items if item.HasField("video")}

    shown = eventually(
        titles, until=lambda found: found.get(videos[name]) == run_id + title, timeout=seconds,
        what=f"video {name} titled {run_id + title!r} in the watch history",
    )
    assert shown[videos[name]] == run_id + title
