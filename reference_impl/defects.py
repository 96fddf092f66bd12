"""Seeded defects: switches that each break one rule of the reference, all off by default.

They exist to prove the suite's power (DESIGN.md §8): with a defect on, the scenarios that state
the broken rule must fail, and ``tests/meta/test_seeded_defects.py`` checks that they do. Turn
them on with ``LINGO_DEFECTS=name[,name…]``; an unknown name stops the reference at start.

A reference started with ``LINGO_DEFECTS_SWITCHABLE=1`` (never by default) also lets the suite
replace that set while it runs (``switch``, served as ``PUT /_reference/defects``), so one
reference can serve the whole seeded-defect matrix. Every site asks ``active`` when it acts, never
once at construction, so a switch takes effect at the next call.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable

DEFECTS = {
    "upload-accepts-anonymous-callers": "InitResumableUpload skips the identity check",
    "upload-skips-contract-validation": "InitResumableUpload skips the proto's validation rules",
    "upload-reuses-expiring-urls": "a stored URL is handed out again however close it is to expiry",
    "upload-new-session-per-call": "every Init reserves a new video id, even for a known (user, md5)",
    "upload-ignores-md5-mismatch": "an object whose MD5 differs from the declared one completes the upload",
    "upload-missing-md5-is-a-mismatch": "an object reported without an MD5 fails the upload",
    "upload-events-out-of-order": "finalize enqueues catalog.video.updated before catalog.video.created",
    "upload-long-lived-urls": "signed upload URLs live seven days instead of the configured lifetime",
    "upload-rejects-unknown-objects": "a notification for an unknown object is nacked instead of acknowledged",
    "lifecycle-ignores-expected-version": "lifecycle updates apply whatever expected_version says",
    "lifecycle-accepts-stale-reports": "a stage report older than the stored one is applied",
    "outbox-event-outside-the-change": "a writer keeps its change when recording the event fails",
    "lifecycle-accepts-any-caller": "CatalogLifecycleService serves callers without a service identity",
    "lifecycle-no-stage-events": "no media_ready / ai_enriched / processing_failed beside updated",
    "visibility-publishes-any-status": "PublishVideo publishes a video whatever its status",
    "idempotency-ignores-keys": "a write repeated with its idempotency key is applied again",
    "catalog-reads-ignore-ownership": "GetVideoMetadata/Detail show any video, raw_file_reference included, to anyone",
    "catalog-public-list-ignores-visibility": "ListUserPublicVideos lists every ready/published video of anyone (upstream)",
    "catalog-paging-skips-one": "the next page starts after the first row of the next page (upstream's bug)",
    "catalog-page-token-unbound": "catalog page tokens are accepted from any caller and for any query",
    "catalog-etag-ignores-version": "the ETag of a read stays the same when the video changes",
    "relay-drops-attributes": "the relay publishes events without their attributes",
    "relay-marks-before-publish": "the relay marks a batch published before the broker acknowledged it",
    "relay-no-head-of-line": "the claim ignores earlier open events of the same aggregate",
    "relay-unfenced-settle": "marking and rescheduling ignore the lease token",
    "relay-ignores-lock-ttl": "a lease is never taken over, however old",
    "relay-backoff-uncapped": "retry delays keep doubling past the cap",
    "relay-never-parks": "an event is retried for ever instead of being parked",
    "relay-retries-permanent-errors": "a publish the broker refuses for good is retried like a transient failure",
    "projection-ignores-version": "the videos projection applies an event whatever its version",
    "projection-overwrites-partial-updates": "a partial update clears the fields it does not carry",
    "projection-ignores-deletes": "catalog.video.deleted changes nothing",
    "projection-accepts-unknown-schema-versions": "messages of any schema_version are applied",
    "projection-commits-failed-handlers": "a handler's writes commit even when the handler then fails",
    "inbox-no-dedupe": "an event already processed is applied again",
    "inbox-never-acks": "a consumer applies each message but never acknowledges it",
    "engagement-no-staleness-guard": "an engagement event older than the stored one is applied",
    "engagement-counts-every-event": "like/bookmark counters move on every event, flip or not",
    "engagement-fresh-row-flips": "a viewer's first engagement event counts as a flip, even one that changes nothing",
    "engagement-counts-every-watcher": "every watch event counts a new unique watcher",
    "rebuild-keeps-inbox": "a projection rebuild keeps the consumer's inbox rows",
}


SWITCHABLE_ENV = "LINGO_DEFECTS_SWITCHABLE"


class UnknownDefect(ValueError):
    """``LINGO_DEFECTS`` (or a switch) names a defect that does not exist."""


class NotSwitchable(RuntimeError):
    """A switch was asked of a process not started with ``LINGO_DEFECTS_SWITCHABLE=1``."""


#: The set last switched to, which replaces the environment's; None until a switch.
_switched: frozenset[str] | None = None


def switchable() -> bool:
    """Whether this process was started to allow switching its defects while it runs."""
    return os.environ.get(SWITCHABLE_ENV, "0") == "1"


def enabled() -> frozenset[str]:
    """The defects switched on for this process (the last switch's, else ``LINGO_DEFECTS``)."""
    return _from_environment() if _switched is None else _switched


def switch(names: Iterable[str]) -> frozenset[str]:
    """Switch exactly ``names`` on (none: the reference keeps its rules); the set now on.

    Raises:
        NotSwitchable: the process was not started with ``LINGO_DEFECTS_SWITCHABLE=1``.
        UnknownDefect: a name is not in ``DEFECTS``; nothing was switched.
    """
    global _switched  # noqa: PLW0603 - the one process-wide switch
    if not switchable():
        msg = f"seeded defects are fixed for this process; start it with {SWITCHABLE_ENV}=1 to switch them"
        raise NotSwitchable(msg)
    wanted = frozenset(names)
    _check_known(wanted, "the switch")
    _switched = wanted
    return wanted


@functools.cache
def _from_environment() -> frozenset[str]:
    names = frozenset(n.strip() for n in os.environ.get("LINGO_DEFECTS", "").split(",") if n.strip())
    _check_known(names, "LINGO_DEFECTS")
    return names


def _check_known(names: frozenset[str], source: str) -> None:
    unknown = sorted(names - DEFECTS.keys())
    if unknown:
        msg = f"{source} names unknown defects {unknown}; known: {sorted(DEFECTS)}"
        raise UnknownDefect(msg)


def active(name: str) -> bool:
    """Whether the seeded defect ``name`` is on."""
    if name not in DEFECTS:
        msg = f"no seeded defect named {name!r}; add it to DEFECTS in reference_impl/defects.py"
        raise UnknownDefect(msg)
    return name in enabled()
