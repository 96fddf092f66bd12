"""The profile's pure rules (reference_impl/domain/profile.py): masks, the 5 % rule, page tokens."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from reference_impl.domain import profile as rules
from reference_impl.domain.errors import InvalidArgument, PermissionDenied

USER = uuid.UUID("6f1c1f8e-2b3c-4d5e-8f90-123456789abc")


def test_owner_is_the_caller_whether_named_or_implied() -> None:
    assert rules.check_owner(USER, "") == USER
    assert rules.check_owner(USER, str(USER)) == USER
    with pytest.raises(PermissionDenied) as denied:
        rules.check_owner(USER, str(uuid.uuid4()))
    assert denied.value.reason == rules.NOT_DATA_OWNER


def test_profile_paths_accept_upstream_prefixes_and_expand_preferences() -> None:
    assert rules.profile_paths(["profile.display_name", "preferences"]) == {
        "display_name", "preferences.learning_goal", "preferences.daily_quota_minutes", "preferences.extra",
    }
    with pytest.raises(InvalidArgument) as error:
        rules.profile_paths(["profile_version"])
    assert error.value.violations[0].field == "update_mask"


def test_apply_changes_touches_only_the_named_paths() -> None:
    current = rules.ProfileFields("Ada", "a.png", {"learning_goal": "B2", "daily_quota_minutes": 30, "extra": {"t": 1}})
    changes = rules.ProfileFields("Grace", "g.png", {"learning_goal": "C1", "daily_quota_minutes": 45, "extra": {"t": 2}})

    result = rules.apply_changes(current, changes, {"preferences.extra"})

    assert result == rules.ProfileFields("Ada", "a.png", {"learning_goal": "B2", "daily_quota_minutes": 30, "extra": {"t": 2}})


def test_a_new_profile_needs_a_display_name() -> None:
    with pytest.raises(InvalidArgument):
        rules.apply_changes(None, rules.ProfileFields("", "a.png", {}), {"avatar_url"})


@pytest.mark.parametrize(
    ("ratios", "emitted"),
    [
        (["0.04"], []),
        (["0.05"], ["0.05"]),
        (["0.05", "0.09", "0.13"], ["0.05", "0.13"]),  # measured from 0.05, the last emitted
        (["0.30", "0.10", "0.34", "0.35"], ["0.30", "0.35"]),  # rewinding does not move the mark
        (["0.10", "0.15"], ["0.10", "0.15"]),  # exactly 5 % more is enough
    ],
)
def test_watch_events_are_due_at_5_percent_over_the_last_emitted(ratios: list[str], emitted: list[str]) -> None:
    stored = None
    seen = []
    for text in ratios:
        step = rules.watch_step(stored, Decimal(text), 0)
        if step.emit:
            seen.append(text)
        stored = rules.StoredWatch(step.total_watch_seconds, step.last_emitted_ratio)
    assert seen == emitted


def test_a_watcher_is_new_only_with_the_first_event() -> None:
    first = rules.watch_step(None, Decimal("0.5"), 10)
    again = rules.watch_step(rules.StoredWatch(10, Decimal("0.5")), Decimal("0.9"), 20)
    assert (first.new_watcher, again.new_watcher) == (True, False)


def test_totals_never_decrease() -> None:
    step = rules.watch_step(rules.StoredWatch(30, None), Decimal("0.01"), 10)
    assert (step.total_watch_seconds, step.added_seconds) == (30, 0)


def test_exact_ratio_keeps_the_written_decimal() -> None:
    assert rules.exact_ratio(0.15) - rules.exact_ratio(0.10) == Decimal("0.05")


def test_page_size_defaults_and_bounds() -> None:
    assert rules.page_size(0) == rules.DEFAULT_PAGE_SIZE
    assert rules.page_size(100) == 100
    for bad in (-1, 101):
        with pytest.raises(InvalidArgument):
            rules.page_size(bad)


def test_page_tokens_round_trip_and_refuse_anything_else() -> None:
    tokens = rules.PageTokens(b"k")
    token = tokens.issue("favorites", USER, ["2025-10-30T12:00:00+00:00", "v", "like"])

    assert tokens.read(token, "favorites", USER) == ["2025-10-30T12:00:00+00:00", "v", "like"]
    assert tokens.read("", "favorites", USER) is None
    refused = [
        (token, "history", USER),  # another list
        (token, "favorites", uuid.uuid4()),  # another user
        (token[:-12] + ("A" if token[-12] != "A" else "B") + token[-11:], "favorites", USER),  # altered
        ("20", "favorites", USER),  # an upstream offset
        (rules.PageTokens(b"other").issue("favorites", USER, []), "favorites", USER),  # another key
    ]
    for candidate, kind, user in refused:
        with pytest.raises(InvalidArgument) as error:
            tokens.read(candidate, kind, user)
        assert error.value.reason == rules.PAGE_TOKEN_INVALID


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (rules.ProfileFields("A\x00", "", {}), "profile.display_name"),
        (rules.ProfileFields("A", "", {"extra": {"k\x00": 1}}), "preferences.extra"),
        (rules.ProfileFields("A", "", {"extra": {"k": ["v\x00"]}}), "preferences.extra"),
        (rules.ProfileFields("A", "", {"learning_goal": "\x00"}), "preferences.learning_goal"),
    ],
)
def test_text_postgres_cannot_store_is_refused_by_field(changes: rules.ProfileFields, field: str) -> None:
    with pytest.raises(InvalidArgument) as error:
        rules.check_storable(changes)
    assert [v.field for v in error.value.violations] == [field]
