"""Driver calls of the outbox and projection areas (features/outbox, features/projection).

What each needs from the target:

- catalog/profile events are injected as their producers would publish them (``publish_raw``) and
  observed on the output and dead-letter topics (``observe_events``);
- projections are read through the public RPCs that serve them (``grpc``: catalog's GetVideoDetail,
  the profile service's favourites) and, where no RPC shows a column, through plain SQL on the
  projection tables contracts/sql names (``database``);
- outbox-table scenarios write rows into an outbox table exactly as the DDL contract
  (contracts/sql/outbox_inbox.sql.tmpl) says a service does (``database``);
- relay processes, their fault switches, re-drive and projection rebuilds are operator tools of the
  reference (``faults``): the driver starts ``python -m reference_impl.entrypoints.outbox_relay`` and
  ``python -m reference_impl.redrive`` against the target's database and broker.

Relays started here and scenario schemas created here are stopped and dropped by ``close`` (and by
``cleanup_outbox`` at the end of each scenario).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from psycopg.rows import dict_row
from google.protobuf.timestamp_pb2 import Timestamp
from prometheus_client.parser import text_string_to_metric_families

from contracts.gen.profile.v1 import events_pb2 as profile_events
from contracts.gen.profile.v1 import profile_pb2, profile_pb2_grpc
from contracts.gen.video.v1 import events_pb2 as video_events
from contracts.gen.video.v1 import query_pb2, query_pb2_grpc
from contracts.sql import render_outbox_inbox
from fixtures.process import Child, ChildError
from fixtures.process import start as start_child
from steps.driver.broker import BrokerCalls
from steps.driver.checks import ContractViolation
from steps.driver.outcome import Identity, Outcome

VIDEO_TOPIC = "catalog.video.events"
ENGAGEMENT_TOPIC = "profile.engagement.events"
RELAY_READY = "outbox-relay ready"
RELAY_READY_TIMEOUT = 20.0

_VIDEO_KINDS = {
    "catalog.video.created": ("created", video_events.EVENT_TYPE_VIDEO_CREATED),
    "catalog.video.updated": ("updated", video_events.EVENT_TYPE_VIDEO_UPDATED),
    "catalog.video.deleted": ("deleted", video_events.EVENT_TYPE_VIDEO_DELETED),
}
FAVORITE_TYPES = {"like": profile_pb2.FAVORITE_TYPE_LIKE, "bookmark": profile_pb2.FAVORITE_TYPE_BOOKMARK}


def rfc3339(moment: datetime) -> str:
    """UTC RFC 3339 with microseconds and ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class EventMessage:
    """One event as its producer publishes it: payload bytes, attributes, ordering key."""

    event_id: str
    event_type: str
    aggregate_id: str
    data: bytes
    attributes: dict[str, str]

    @property
    def ordering_key(self) -> str:
        """The aggregate id (the contract's ordering key)."""
        return self.aggregate_id


def video_event(event_type: str, video_id: str, version: int, **fields: object) -> EventMessage:
    """A ``video.v1.Event`` message of ``event_type`` for ``video_id`` at ``version``.

    ``fields`` set payload fields (``title``, ``status`` …); ``created`` events get a title and
    statuses when not given. ``schema_version`` and ``event_id`` may be overridden in ``fields``.
    """
    schema_version = str(fields.pop("schema_version", "v1"))
    event_id = str(fields.pop("event_id", uuid.uuid4()))
    occurred = rfc3339(datetime.now(UTC))
    kind, enum = _VIDEO_KINDS[event_type]
    payload: dict[str, object] = {"video_id": video_id, "version": version, "occurred_at": occurred}
    if kind == "created":
        payload.update(uploader_id=str(uuid.uuid4()), title="untitled", status="processing",
                       media_status="pending", analysis_status="pending")
    payload.update(fields)
    envelope = video_events.Event(
        event_id=event_id,
        event_type=enum,
        aggregate_id=video_id,
        aggregate_type="video",
        version=version,
        occurred_at=occurred,
    )
    getattr(envelope, kind).MergeFrom(getattr(video_events.Event, _message_name(kind))(**payload))
    attributes = {
        "event_id": event_id,
        "event_type": event_type,
        "aggregate_type": "video",
        "aggregate_id": video_id,
        "version": str(version),
        "occurred_at": occurred,
        "schema_version": schema_version,
    }
    return EventMessage(event_id, event_type, video_id, envelope.SerializeToString(), attributes)


def _message_name(kind: str) -> str:
    return {"created": "VideoCreated", "updated": "VideoUpdated", "deleted": "VideoDeleted"}[kind]


def _stamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp


def engagement_event(
    action: str, favorite: str, *, user_id: str, video_id: str, occurred_at: datetime
) -> EventMessage:
    """``profile.engagement.added`` (``action`` = added) or ``.removed`` for a like or bookmark."""
    event_id = str(uuid.uuid4())
    common = {
        "event_id": event_id,
        "user_id": user_id,
        "video_id": video_id,
        "favorite_type": FAVORITE_TYPES[favorite],
        "occurred_at": _stamp(occurred_at),
        "source": "conformance",
    }
    message = (
        profile_events.EngagementAddedEvent(**common)
        if action == "added"
        else profile_events.EngagementRemovedEvent(**common, deleted_at=_stamp(occurred_at))
    )
    return _profile_message(f"profile.engagement.{action}", "profile.engagement", event_id, video_id, occurred_at, message)


def watch_event(*, user_id: str, video_id: str, watched_at: datetime) -> EventMessage:
    """``profile.watch.progressed`` at 50 % watched, last watched at ``watched_at``."""
    event_id = str(uuid.uuid4())
    progress = profile_pb2.WatchProgress(
        position_seconds=30, progress_ratio=0.5, total_watch_seconds=30, first_watched_at=_stamp(watched_at),
        last_watched_at=_stamp(watched_at),
    )
    message = profile_events.WatchProgressedEvent(event_id=event_id, user_id=user_id, video_id=video_id, progress=progress)
    return _profile_message("profile.watch.progressed", "profile.watch_log", event_id, video_id, watched_at, message)


def _profile_message(
    event_type: str, aggregate_type: str, event_id: str, video_id: str, occurred_at: datetime, message: object
) -> EventMessage:
    attributes = {
        "event_id": event_id,
        "event_type": event_type,
        "aggregate_type": aggregate_type,
        "aggregate_id": video_id,
        "version": str(int(occurred_at.timestamp() * 1_000_000)),
        "occurred_at": rfc3339(occurred_at),
        "schema_version": "v1",
    }
    return EventMessage(event_id, event_type, video_id, message.SerializeToString(), attributes)  # type: ignore[attr-defined]


@dataclass
class RelayProcess:
    """A relay the driver started (through fixtures/process.py): its process and its metrics URL."""

    name: str
    process: Child
    metrics_url: str = ""

    def exit_code(self) -> int | None:
        """The exit code once it ended, else None."""
        return self.process.exit_code()

    def log(self) -> str:
        """Its last output lines (for failure messages)."""
        return self.process.tail()


class OutboxCalls(BrokerCalls):
    """Outbox and projection calls; mixed into ``Driver``."""

    _relays: list[RelayProcess]
    _schemas: list[str]

    # -- injecting events ------------------------------------------------------------------------

    def publish_event(self, message: EventMessage, topic: str | None = None) -> str:
        """Publish ``message`` as its producer would (ordering key = aggregate id); returns the message id."""
        topic = topic or (VIDEO_TOPIC if message.event_type.startswith("catalog.") else ENGAGEMENT_TOPIC)
        return self.publish_raw(topic, message.data, message.attributes, message.ordering_key)

    def dead_letters(self, topic: str) -> list:
        """Messages seen on a dead-letter topic, as forwarded: their data and attributes are copies of
        messages that failed somewhere (not judged), their ordering key is checked against the
        topic's ``forwarded_ordering_key`` in contracts/pubsub.yaml."""
        return self.events(topic)

    def publish_bytes(self, topic: str, data: bytes, attributes: dict[str, str], ordering_key: str) -> str:
        """Publish arbitrary bytes (poison messages) to ``topic``."""
        return self.publish_raw(topic, data, attributes, ordering_key)

    # -- reading projections ---------------------------------------------------------------------

    def profile_video(self, reader: str, video_id: str) -> dict | None:
        """The profile service's read model of a video as its RPCs serve it (``grpc``): the video
        metadata hydrated into ``reader``'s favourite of it (ListFavorites), or None when that
        favourite carries none yet. ``reader`` must have liked or bookmarked the video."""
        stub = profile_pb2_grpc.ProfileServiceStub(self._channel(self.target.profile_grpc))
        outcome = self._unary("profile.v1.ProfileService/ListFavorites", stub.ListFavorites,
                              profile_pb2.ListFavoritesRequest(page_size=100), Identity.of_user(reader))
        _insist(outcome)
        for item in outcome.response.favorites:
            if item.video_id == video_id:
                if not item.HasField("video"):
                    return None
                video = item.video
                return {"title": video.title, "description": video.description, "status": video.status,
                        "version": video.version}
        msg = f"user {reader} has no favourite of video {video_id}; the read model is read through it"
        raise ContractViolation("profile.v1.ProfileService/ListFavorites", "favourite missing", msg)

    def catalog_engagement(self, video_id: str, viewer: str) -> dict:
        """Catalog's engagement projection of a video as GetVideoDetail serves it to ``viewer``
        (``grpc``): the viewer's ``has_liked`` / ``has_bookmarked`` and the video's counters."""
        stub = query_pb2_grpc.CatalogQueryServiceStub(self._channel(self.target.catalog_grpc))
        outcome = self._unary("video.v1.CatalogQueryService/GetVideoDetail", stub.GetVideoDetail,
                              query_pb2.GetVideoDetailRequest(video_id=video_id), Identity.of_user(viewer))
        _insist(outcome)
        detail = outcome.response.detail
        names = ("has_liked", "has_bookmarked", "like_count", "bookmark_count", "watch_count", "unique_watchers")
        return {name: getattr(detail, name) for name in names}

    def catalog_watch_times(self, video_id: str) -> tuple[datetime | None, datetime | None]:
        """First and last watch time of a video in catalog's engagement stats table (``database``;
        no RPC serves them)."""
        self._require("database", "reading catalog.video_engagement_stats_projection")
        with psycopg.connect(self.target.database_url) as conn:  # type: ignore[arg-type]
            row = conn.execute(
                "SELECT first_watch_at, last_watch_at FROM catalog.video_engagement_stats_projection WHERE video_id = %s",
                (video_id,),
            ).fetchone()
        return (None, None) if row is None else (row[0], row[1])

    def profile_video_row(self, video_id: str) -> dict | None:
        """The ``profile.videos_projection`` row of a video as stored (``database``), or None."""
        self._require("database", "reading profile.videos_projection")
        with psycopg.connect(self.target.database_url, row_factory=dict_row) as conn:  # type: ignore[arg-type]
            return conn.execute(
                "SELECT video_id::text, title, description, duration_micros, thumbnail_url, hls_master_playlist, status,"
                " visibility_status, published_at, version FROM profile.videos_projection WHERE video_id = %s",
                (video_id,),
            ).fetchone()

    def fail_next_projection_handlers(self, count: int, event_type: str | None = None) -> None:
        """Reference fault switch: the next ``count`` handler runs fail after their writes."""
        self._fault("projection-handlers", {"fail_next": count, "event_type": event_type})

    def fail_next_outbox_inserts(self, aggregate_id: str, count: int) -> None:
        """Reference fault switch: the next ``count`` outbox inserts of this aggregate's events are refused."""
        self._fault("outbox-inserts", {"fail_next": count, "aggregate_id": aggregate_id})

    def _fault(self, switch: str, body: dict[str, object]) -> None:
        self._require("faults", f"the {switch} fault switch")
        path = f"/_reference/faults/{switch}"
        response = self._rest_client().post(f"{self.target.rest_url}{path}", json=body)
        if response.status_code != 200:
            msg = f"POST {path} answered {response.status_code}: {response.text}"
            raise ContractViolation("driver", "fault switch refused", msg)

    def metrics(self) -> dict[str, float]:
        """The target's Prometheus metrics (``GET <rest_url>/metrics``) as ``name{labels}`` → value."""
        self._declare("rest", "GET /metrics")
        return _parse_metrics(self._rest_client().get(f"{self.target.rest_url}/metrics").text)

    def _require(self, capability: str, what: str) -> None:
        self._declare(capability, what)
        if capability not in self.target.capabilities:
            msg = f"target {self.target.name!r} lacks {capability!r}, needed for {what}; tag the scenario @needs_{capability}"
            raise ContractViolation("driver", "missing capability", msg)

    # -- the outbox table (database) -------------------------------------------------------------

    def create_outbox_schema(self) -> str:
        """Render the outbox/inbox DDL contract into a fresh schema of the target's database; its name."""
        self._require("database", "outbox-table scenarios")
        schema = f"ct_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.target.database_url, autocommit=True) as conn:  # type: ignore[arg-type]
            conn.execute(render_outbox_inbox(schema))
        self._owned_schemas().append(schema)
        return schema

    def commit_outbox_events(self, schema: str, messages: list[EventMessage], *, commit: bool = True) -> float:
        """Insert outbox rows in one transaction, as a service's unit of work does (upstream
        InsertOutboxEvent columns; headers = the attributes), then commit or roll back.

        Returns:
            The rows' ``available_at`` (the transaction's time) as a Unix timestamp.
        """
        self._require("database", "outbox-table scenarios")
        with psycopg.connect(self.target.database_url) as conn:  # type: ignore[arg-type]
            (available_at,) = conn.execute("SELECT extract(epoch FROM now())").fetchone()  # type: ignore[misc]
            for message in messages:
                conn.execute(
                    f"INSERT INTO {schema}.outbox_events (event_id, aggregate_type, aggregate_id, event_type, payload,"  # noqa: S608 - our own schema name
                    " headers, available_at) VALUES (%s, %s, %s, %s, %s, %s, now())",
                    (
                        message.event_id,
                        message.attributes["aggregate_type"],
                        message.aggregate_id,
                        message.event_type,
                        message.data,
                        json.dumps(message.attributes),
                    ),
                )
            if commit:
                conn.commit()
            else:
                conn.rollback()
        return float(available_at)

    def outbox_rows(self, schema: str, event_ids: list[str]) -> dict[str, dict]:
        """The outbox rows of some events: attempts, last error, published/parked/locked state."""
        self._require("database", "outbox-table scenarios")
        with psycopg.connect(self.target.database_url) as conn:  # type: ignore[arg-type]
            rows = conn.execute(
                "SELECT event_id::text, delivery_attempts, last_error, published_at, parked_at, lock_token,"  # noqa: S608
                f" extract(epoch FROM available_at) FROM {schema}.outbox_events WHERE event_id = ANY(%s::uuid[])",
                (event_ids,),
            ).fetchall()
        return {
            r[0]: {
                "attempts": r[1],
                "last_error": r[2],
                "published": r[3] is not None,
                "parked": r[4] is not None,
                "locked": r[5] is not None,
                "available_at": float(r[6]),
            }
            for r in rows
        }

    # -- relays and operator tools (faults) ------------------------------------------------------

    def start_relay(self, schema: str, topic: str, **options: object) -> RelayProcess:
        """Start ``python -m reference_impl.entrypoints.outbox_relay`` for ``schema`` → ``topic``.

        ``options`` are its command-line options without dashes (``lock_ttl=1``, ``crash_after_publish=True``).
        """
        self._require("faults", "starting relays")
        args = [sys.executable, "-m", "reference_impl.entrypoints.outbox_relay", "--schema", schema, "--topic", topic,
                "--metrics-port", "0", "--idle-interval", "0.02"]
        for name, value in options.items():
            flag = "--" + name.replace("_", "-")
            if value is True:
                args.append(flag)
            elif value not in (None, False):
                args += [flag, str(value)]
        try:
            process = start_child(f"relay {' '.join(args[3:])}", args, ready=RELAY_READY, timeout=RELAY_READY_TIMEOUT,
                                  env=self._tool_env())
        except ChildError as error:
            raise ContractViolation("driver", "relay did not start", str(error)) from None
        relay = RelayProcess(name=f"relay-{len(self._owned_relays()) + 1}", process=process,
                             metrics_url=(process.ready_line or "").split("metrics=", 1)[-1].strip())
        self._owned_relays().append(relay)
        return relay

    def relay_metrics(self, relay: RelayProcess) -> dict[str, float]:
        """Metrics of a relay the driver started."""
        return _parse_metrics(self._loopback_client().get(relay.metrics_url).text)

    def stop_relay(self, relay: RelayProcess) -> None:
        """SIGTERM a relay (it finishes its cycle) and wait for it."""
        relay.process.stop(grace=10)

    def redrive(
        self,
        schema: str,
        *,
        aggregate_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        include_published: bool = False,
    ) -> str:
        """Run ``python -m reference_impl.redrive`` as an operator would; returns its output."""
        self._require("faults", "re-drive")
        args = ["--schema", schema]
        if aggregate_id:
            args += ["--aggregate", aggregate_id]
        if since:
            args += ["--since", since.isoformat()]
        if until:
            args += ["--until", until.isoformat()]
        if include_published:
            args.append("--include-published")
        return self._run_tool(args)

    def rebuild_projection(self, name: str, since: datetime) -> str:
        """Empty projection ``name`` and its consumer's inbox rows, then seek its subscription to ``since``."""
        self._require("faults", "projection rebuilds")
        return self._run_tool(["rebuild", name, "--since", since.isoformat()])

    def cleanup_outbox(self) -> None:
        """Stop the relays started so far and drop the scenario schemas (errors re-raised at the end)."""
        errors: list[Exception] = []
        for relay in self._owned_relays():
            try:
                self.stop_relay(relay)
            except (OSError, subprocess.SubprocessError) as exc:
                errors.append(exc)
        self._owned_relays().clear()
        for schema in self._owned_schemas():
            try:
                with psycopg.connect(self.target.database_url, autocommit=True) as conn:  # type: ignore[arg-type]
                    conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            except psycopg.Error as exc:
                errors.append(exc)
        self._owned_schemas().clear()
        if errors:
            msg = f"outbox cleanup left {len(errors)} problems: {errors}"
            raise RuntimeError(msg)

    def close(self) -> None:
        """Clean up the outbox area's processes and schemas, then close the rest."""
        try:
            self.cleanup_outbox()
        finally:
            super().close()

    def _run_tool(self, args: list[str]) -> str:
        completed = subprocess.run(  # noqa: S603 - the reference's own module
            [sys.executable, "-m", "reference_impl.redrive", *args],
            capture_output=True, text=True, env={**os.environ, **self._tool_env()}, timeout=60, check=False,
        )
        if completed.returncode != 0:
            msg = f"python -m reference_impl.redrive {' '.join(args)} exited {completed.returncode}:\n{completed.stderr}"
            raise ContractViolation("driver", "operator tool failed", msg)
        return completed.stdout

    def _tool_env(self) -> dict[str, str]:
        env = {"DATABASE_URL": self.target.database_url or "", "LINGO_PUBSUB_PROJECT": self.target.pubsub_project}
        if self.target.pubsub_emulator_host:
            env["PUBSUB_EMULATOR_HOST"] = self.target.pubsub_emulator_host
        return env

    def _owned_relays(self) -> list[RelayProcess]:
        if not hasattr(self, "_relays"):
            self._relays = []
        return self._relays

    def _owned_schemas(self) -> list[str]:
        if not hasattr(self, "_schemas"):
            self._schemas = []
        return self._schemas


def _insist(outcome: Outcome) -> None:
    if not outcome.ok:
        msg = f"{outcome.operation} answered {outcome.code} {outcome.reason or ''}: {outcome.message}"
        raise ContractViolation(outcome.operation, "read failed", msg)


def _parse_metrics(text: str) -> dict[str, float]:
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            values[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return values
