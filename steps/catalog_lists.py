"""Catalog steps about lists: public videos, one's uploads, their filters, and keyset paging."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from pytest_bdd import given, parsers, then, when

from fixtures.data import registration_request
from steps.catalog import CatalogScene, bring_to, now, register, succeeded
from steps.driver import Driver, Identity, Outcome

LISTS = r"(?P<what>the user's uploads|the user's public videos)"


def new_user_video(driver: Driver, run_id: str, user: Identity, status: str = "pending_upload") -> str:
    """Register a video for ``user`` and bring it to ``status``; its id."""
    video_id = register(driver, registration_request(run_id, upload_user_id=user.user_id))
    bring_to(driver, video_id, status)
    return video_id


def list_page(driver: Driver, catalog: CatalogScene, what: str, **fields: Any) -> Outcome:
    """One page of ``what`` (of the scene's user), as its usual caller asks for it."""
    if what == "the user's uploads":
        return driver.list_my_uploads(catalog.user, **fields)
    return driver.list_user_public_videos(Identity.anonymous(), user_id=catalog.user.user_id, **fields)


def walk(driver: Driver, catalog: CatalogScene, what: str, size: int, token: str = "") -> list[list[str]]:
    """Every further page of ``what``, ``size`` at a time, following next_page_token to the end."""
    pages: list[list[str]] = []
    while True:
        response = succeeded(list_page(driver, catalog, what, page_size=size, page_token=token)).response
        pages.append([v.video_id for v in response.videos])
        token = response.next_page_token
        if not token:
            return pages
        assert len(pages) <= len(catalog.videos) + 2, f"the walk does not end: {pages}"


def token_of(driver: Driver, catalog: CatalogScene, which: str) -> str:
    """A page token named in a step (each one valid somewhere, but not for the call under test)."""
    def first_token(outcome: Outcome) -> str:
        token = succeeded(outcome).response.next_page_token
        assert token, f"{outcome.operation} gave no next_page_token to borrow"
        return token

    stranger = Identity.of_user(str(uuid.uuid4()))
    if which == "of another user's uploads":
        return first_token(driver.list_my_uploads(catalog.other, page_size=1))
    if which.startswith("of the user's uploads filtered by status"):
        return first_token(driver.list_my_uploads(catalog.user, page_size=1, status_filter=[which.split('"')[1]]))
    if which == "of the user's own uploads, altered":
        token = first_token(driver.list_my_uploads(catalog.user, page_size=1))
        raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        raw[len(raw) // 2] ^= 0x01
        return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    if which == "of another user's public videos":
        return first_token(driver.list_user_public_videos(Identity.anonymous(), user_id=catalog.other.user_id, page_size=1))
    if which == "of the user's uploads":
        return first_token(driver.list_my_uploads(catalog.user, page_size=1))
    if which == "issued to another caller":
        return first_token(driver.list_user_public_videos(stranger, user_id=catalog.user.user_id, page_size=1))
    return which.strip('"')


# -- Given --------------------------------------------------------------------------------------


@given(parsers.parse("a user with one video in each status: {statuses}"))
def _(driver: Driver, run_id: str, catalog: CatalogScene, statuses: str) -> None:
    catalog.user = Identity.of_user(str(uuid.uuid4()))
    for status in (s.strip() for s in statuses.split(",")):
        catalog.by_status[status] = new_user_video(driver, run_id, catalog.user, status)


@given("another user with a published video")
def _(driver: Driver, run_id: str, catalog: CatalogScene) -> None:
    catalog.other = Identity.of_user(str(uuid.uuid4()))
    new_user_video(driver, run_id, catalog.other, "published")


@given(parsers.parse("a user with {count:d} public videos registered one after another"))
def _(driver: Driver, run_id: str, catalog: CatalogScene, count: int) -> None:
    catalog.user = Identity.of_user(str(uuid.uuid4()))
    catalog.videos = [new_user_video(driver, run_id, catalog.user, "ready") for _ in range(count)]
    catalog.other = Identity.of_user(str(uuid.uuid4()))
    for _ in range(2):
        new_user_video(driver, run_id, catalog.other, "ready")


@given(parsers.parse("the user has {count:d} more videos"))
def _(driver: Driver, run_id: str, catalog: CatalogScene, count: int) -> None:
    catalog.videos += [new_user_video(driver, run_id, catalog.user) for _ in range(count)]


# -- When ---------------------------------------------------------------------------------------


@when("anyone lists the user's public videos", target_fixture="outcome")
def _(driver: Driver, catalog: CatalogScene) -> Outcome:
    return driver.list_user_public_videos(Identity.anonymous(), user_id=catalog.user.user_id, page_size=100)


@when(parsers.re(r'the user lists their uploads with (?P<kind>status|stage) filter "(?P<values>[^"]*)"$'), target_fixture="outcome")
def _(driver: Driver, catalog: CatalogScene, kind: str, values: str) -> Outcome:
    chosen = [v.strip() for v in values.split(",") if v.strip()]
    return driver.list_my_uploads(catalog.user, page_size=100, **{f"{kind}_filter": chosen})


@when(parsers.re(LISTS + r" is walked (?P<size>\d+) at a time$"), target_fixture="pages")
def _(driver: Driver, catalog: CatalogScene, what: str, size: str) -> list[list[str]]:
    return walk(driver, catalog, what, int(size))


@when(parsers.re(r"the first (?P<size>\d+) of " + LISTS + " are listed$"), target_fixture="pages")
def _(driver: Driver, catalog: CatalogScene, what: str, size: str) -> list[list[str]]:
    outcome = succeeded(list_page(driver, catalog, what, page_size=int(size)))
    catalog.outcomes.append(outcome)
    return [[v.video_id for v in outcome.response.videos]]


@when("a new video is registered for the user and the oldest video is changed")
def _(driver: Driver, run_id: str, catalog: CatalogScene) -> None:
    new_user_video(driver, run_id, catalog.user, "ready")
    oldest = catalog.videos[0]
    succeeded(driver.update_ai_attributes(oldest, summary="changed between two pages", job_id="job-x", emitted_at=now()))


@when(parsers.re(r"the walk of " + LISTS + r" continues (?P<size>\d+) at a time$"), target_fixture="pages")
def _(driver: Driver, catalog: CatalogScene, pages: list[list[str]], what: str, size: str) -> list[list[str]]:
    return pages + walk(driver, catalog, what, int(size), catalog.outcomes[-1].response.next_page_token)


@when(parsers.parse("the user's uploads are listed with page size {size:d}"), target_fixture="outcome")
def _(driver: Driver, catalog: CatalogScene, size: int) -> Outcome:
    return driver.list_my_uploads(catalog.user, page_size=size)


@when(parsers.re(LISTS + r" is listed with the page token (?P<which>.+)$"), target_fixture="outcome")
def _(driver: Driver, catalog: CatalogScene, what: str, which: str) -> Outcome:
    return list_page(driver, catalog, what, page_size=1, page_token=token_of(driver, catalog, which))


# -- Then ---------------------------------------------------------------------------------------


@then(parsers.parse('the list holds exactly the user\'s "{statuses}" videos'))
def _(outcome: Outcome, catalog: CatalogScene, statuses: str) -> None:
    expected = {catalog.by_status[s.strip()]: s.strip() for s in statuses.split(",")}
    listed = [v.video_id for v in succeeded(outcome).response.videos]
    names = {video_id: status for status, video_id in catalog.by_status.items()}
    seen = sorted(names.get(v, "another user's") for v in listed)
    assert sorted(listed) == sorted(expected), f"expected the {sorted(expected.values())} videos, listed {seen}"


@then(parsers.parse("the pages hold {sizes} videos"))
def _(pages: list[list[str]], sizes: str) -> None:
    assert [len(p) for p in pages] == [int(n) for n in sizes.split(",")], [len(p) for p in pages]


@then(parsers.parse("together they list the {count:d} videos once each, newest first"))
def _(pages: list[list[str]], catalog: CatalogScene, count: int) -> None:
    listed = [v for page in pages for v in page if v in catalog.videos]
    expected = list(reversed(catalog.videos[:count]))
    missing = [catalog.videos.index(v) + 1 for v in expected if v not in listed]
    repeated = sorted({catalog.videos.index(v) + 1 for v in listed if listed.count(v) > 1})
    assert listed == expected, (
        f"videos (numbered oldest first) missing: {missing}, repeated: {repeated}; pages: {[len(p) for p in pages]}"
    )


@then(parsers.parse("the page holds {count:d} videos and a next page token"))
def _(outcome: Outcome, count: int) -> None:
    response = succeeded(outcome).response
    assert (len(response.videos), bool(response.next_page_token)) == (count, True), (len(response.videos), response.next_page_token)
