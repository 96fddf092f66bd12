"""Then steps of the profile area: one check each, reading outcomes or asking the driver once.

Imported by ``steps/profile.py`` (the plugin module the root conftest loads), which registers them.
"""

from __future__ import annotations

import json
from typing import Any

from pytest_bdd import parsers, then

from contracts.gen.profile.v1 import profile_pb2
from steps.driver import Driver, Identity, Outcome
from steps.eventually import eventually
from steps.quiescence import settled
from steps.driver.profile import profile_values

ENGAGEMENT_TOPIC = "profile.engagement.events"


def succeeded(outcome: Outcome) -> Outcome:
    assert outcome.ok, f"{outcome.operation}: setup expected OK, received {outcome.code} {outcome.reason} ({outcome.message!r})"
    return outcome


def field_value(field: str, text: str) -> Any:
    if field == "preferences.extra":
        return json.loads(text)
    if field == "preferences.daily_quota_minutes":
        return int(text)
    return text


def as_percent(ratio: float) -> int:
    return round(ratio * 100)


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
    profile = succeeded(driver.get_profile(caller, surface)).response.profile
    assert (profile.display_name, profile.profile_version) == (name, version), (
        f"expected the profile unchanged: {name!r} at version {version}; "
        f"received {profile.display_name!r} at version {profile.profile_version}"
    )


@then(parsers.parse("the user's profile is at version {version:d}"))
def _(driver: Driver, caller: Identity, surface: str, version: int) -> None:
    profile = succeeded(driver.get_profile(caller, surface)).response.profile
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
    expected = {**profile_before, field: field_value(field, value)}
    received = profile_values(outcome.response.profile)
    changed = {k: (expected[k], received[k]) for k in expected if expected[k] != received[k]}
    assert not changed, f"{outcome.operation}: fields differ from what the mask allows (expected, received): {changed}"


@then(parsers.parse("all {times:d} calls succeed"))
def _(outcomes: list[Outcome], times: int) -> None:
    failed = [(o.code, o.reason, o.message) for o in outcomes if not o.ok]
    assert len(outcomes) == times and not failed, f"expected {times} successes, received failures {failed}"


def _summary(driver: Driver, caller: Identity, surface: str, video_id: str) -> profile_pb2.FavoriteSummary:
    return succeeded(driver.batch_query_favorites(caller, surface, [video_id])).response.summaries[0]


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
    received = [len(_items(succeeded(page))) for page in pages]
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
    progress = succeeded(outcome).response.progress
    received = (as_percent(progress.progress_ratio), progress.total_watch_seconds)
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
    received = [item.video_id for item in succeeded(outcome).response.items]
    assert received == expected, _listing_message(outcome.operation, expected, received, videos)


@then(parsers.parse('the history shows {first:d} % for video "{a}" and {second:d} % for video "{b}"'))
def _(outcome: Outcome, videos: dict[str, str], first: int, a: str, second: int, b: str) -> None:
    shown = {item.video_id: as_percent(item.progress.progress_ratio) for item in outcome.response.items}
    assert (shown.get(videos[a]), shown.get(videos[b])) == (first, second), f"expected ({first} %, {second} %), received {shown}"


@then(parsers.parse("every history entry expires {days:d} days after it was last watched"))
def _(outcome: Outcome, days: int) -> None:
    for item in outcome.response.items:
        progress = item.progress
        assert progress.HasField("expires_at"), f"{outcome.operation}: entry {item.video_id} has no expires_at"
        kept = progress.expires_at.ToDatetime() - progress.last_watched_at.ToDatetime()
        # One second of slack: a surface may render the two timestamps at different precisions.
        assert abs(kept.total_seconds() - days * 86400) <= 1, (
            f"entry {item.video_id}: expected expires_at = last_watched_at + {days} days, received "
            f"{progress.expires_at.ToJsonString()} for a last watch at {progress.last_watched_at.ToJsonString()} ({kept})"
        )


@then("the user has no favourites")
def _(driver: Driver, caller: Identity, surface: str) -> None:
    favourites = succeeded(driver.list_favorites(caller, surface)).response.favorites
    assert not favourites, f"expected no favourites, received {[f.video_id for f in favourites]}"


@then("the call returns a purge task id")
def _(outcome: Outcome) -> None:
    assert succeeded(outcome).response.purge_task_id, f"{outcome.operation}: expected a purge_task_id, received none"


@then("the user has no profile, no favourites and no watch history")
def _(driver: Driver, caller: Identity, surface: str) -> None:
    profile = driver.get_profile(caller, surface)
    favourites = succeeded(driver.list_favorites(caller, surface)).response.favorites
    history = succeeded(driver.list_watch_history(caller, surface)).response.items
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
        items = succeeded(driver.list_watch_history(other_user, surface)).response.items
        assert [i.video_id for i in items] == [videos[name]], f"the other user's history lost video {name}: {items}"


def _settled_events(driver: Driver, surface: str, video_id: str, *, at_least: int, seconds: int, what: str) -> list:
    """The video's engagement events once its stream has settled (steps/quiescence.py), marker left out."""
    def mark():  # noqa: ANN202 - the marker predicate
        marker_user = driver.mark_engagement(surface, video_id)
        return lambda event: event.payload_json().get("userId") == marker_user

    return settled(lambda: driver.events(ENGAGEMENT_TOPIC, aggregate_id=video_id), at_least=at_least, mark=mark,
                   timeout=seconds, what=what)


#: What each column of an "events … are exactly:" table reads from an engagement event.
_EVENT_COLUMNS: dict[str, Any] = {
    "event_type": lambda event, payload: event.event_type,
    "favorite_type": lambda event, payload: payload.get("favoriteType"),
    "like_count": lambda event, payload: payload.get("stats", {}).get("likeCount", "0"),
    "bookmark_count": lambda event, payload: payload.get("stats", {}).get("bookmarkCount", "0"),
    "source": lambda event, payload: payload.get("source", ""),
}


@then(parsers.parse('within {seconds:d} seconds the events of video "{name}" are exactly:'))
def _(driver: Driver, surface: str, videos: dict[str, str], seconds: int, name: str, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    events = _settled_events(driver, surface, videos[name], at_least=len(rows), seconds=seconds,
                             what=f"{len(rows)} engagement events of video {name}")
    received = []
    for event in events:
        payload = event.payload_json()
        received.append(tuple(_EVENT_COLUMNS[column](event, payload) for column in header))
    expected = [tuple(got if cell == "*" else cell for cell, got in zip(row, seen, strict=True))
                for row, seen in zip(rows, received, strict=False)] + [tuple(r) for r in rows[len(received):]]
    assert received == expected, f"video {name}: expected events ({', '.join(header)}) {expected}, received {received}"


@then(parsers.parse('within {seconds:d} seconds the watch events of video "{name}" carry exactly the percentages {percentages}'))
def _(driver: Driver, surface: str, videos: dict[str, str], seconds: int, name: str, percentages: str) -> None:
    expected = [int(p) for p in percentages.split(",")]
    events = _settled_events(driver, surface, videos[name], at_least=len(expected), seconds=seconds,
                             what=f"{len(expected)} watch events of video {name}")
    received = [as_percent(e.payload.progress.progress_ratio) for e in events if e.event_type == "profile.watch.progressed"]
    assert received == expected, f"video {name}: expected watch events at {expected} %, received {received} %"


@then(parsers.parse('within {seconds:d} seconds the user\'s watch history shows video "{name}" titled "{title}"'))
def _(driver: Driver, caller: Identity, surface: str, videos: dict[str, str], run_id: str, seconds: int, name: str,
      title: str) -> None:
    def titles() -> dict[str, str]:
        items = succeeded(driver.list_watch_history(caller, surface)).response.items
        return {item.video_id: item.video.title for item in items if item.HasField("video")}

    shown = eventually(
        titles, until=lambda found: found.get(videos[name]) == run_id + title, timeout=seconds,
        what=f"video {name} titled {run_id + title!r} in the watch history",
    )
    assert shown[videos[name]] == run_id + title
