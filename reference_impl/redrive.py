"""Operator tools: re-drive outbox events, rebuild a projection from a replay.

Re-drive (seed 000 stage 9: "利用 Outbox 重新驱动"): make events due again so the running relays
publish them once more, with their original ``event_id`` (consumers deduplicate them)::

    python -m reference_impl.redrive --schema catalog --aggregate VIDEO_ID [--include-published]
    python -m reference_impl.redrive --schema catalog --since 2026-01-01T00:00:00Z --until 2026-01-02T00:00:00Z

Without ``--include-published`` only parked events (those that used up their attempts) are
re-driven; with it, already published events in the selection are published again too.

Rebuild ("Seek 订阅回放到指定时间"): empty a projection's tables and its consumer's inbox rows, then
seek the consumer's subscription back to a time; the running consumer re-applies every retained
message from then on, which yields the same projection as the first pass::

    python -m reference_impl.redrive rebuild profile-videos --since 2026-01-01T00:00:00Z

Both read ``DATABASE_URL``; rebuild also needs the broker (``PUBSUB_EMULATOR_HOST`` locally) and
``LINGO_PUBSUB_PROJECT``. The projection's subscription must retain acknowledged messages.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from datetime import datetime

import psycopg
from google.cloud import pubsub_v1
from google.protobuf.timestamp_pb2 import Timestamp

from reference_impl import defects
from reference_impl.adapters.outbox import OutboxStore
from reference_impl.entrypoints.projection_consumers import PROJECTIONS, ProjectionSpec


def _time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        msg = f"{text!r} is not an ISO 8601 time such as 2026-01-01T00:00:00Z"
        raise argparse.ArgumentTypeError(msg) from None
    if moment.tzinfo is None:
        msg = f"{text!r} has no UTC offset; write it as 2026-01-01T00:00:00Z"
        raise argparse.ArgumentTypeError(msg)
    return moment


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        msg = f"--aggregate {text!r} is not a UUID"
        raise argparse.ArgumentTypeError(msg) from None


def redrive_parser() -> argparse.ArgumentParser:
    """Options of the re-drive command."""
    parser = argparse.ArgumentParser(prog="python -m reference_impl.redrive", description="Re-drive outbox events.")
    parser.add_argument("--schema", required=True, help="service schema whose outbox_events to re-drive (catalog, profile)")
    parser.add_argument("--aggregate", type=_uuid, help="only this aggregate's events")
    parser.add_argument("--since", type=_time, help="only events that occurred at or after this time")
    parser.add_argument("--until", type=_time, help="only events that occurred before this time")
    parser.add_argument("--include-published", action="store_true", help="re-publish published events too")
    return parser


def rebuild_parser() -> argparse.ArgumentParser:
    """Options of the rebuild command."""
    parser = argparse.ArgumentParser(
        prog="python -m reference_impl.redrive rebuild", description="Rebuild a projection from a replay."
    )
    parser.add_argument("projection", choices=sorted(PROJECTIONS), help="which projection")
    parser.add_argument("--since", type=_time, required=True, help="seek the subscription back to this time")
    parser.add_argument("--project", default=os.environ.get("LINGO_PUBSUB_PROJECT", "lingo-local"))
    return parser


def redrive(database_url: str, args: argparse.Namespace) -> int:
    """Make the selected events due again; returns how many."""
    with psycopg.connect(database_url) as conn:
        return OutboxStore(args.schema).redrive(
            conn,
            aggregate_id=args.aggregate,
            since=args.since,
            until=args.until,
            include_published=args.include_published,
        )


def rebuild(database_url: str, spec: ProjectionSpec, since: datetime, project: str) -> None:
    """Empty the projection and its inbox rows in one transaction, then seek its subscription."""
    with psycopg.connect(database_url) as conn:
        for table in spec.tables:
            conn.execute(f"DELETE FROM {table}")  # noqa: S608 - table names come from PROJECTIONS
        if not defects.active("rebuild-keeps-inbox"):
            conn.execute(
                f"DELETE FROM {spec.schema}.inbox_events WHERE source_service = %s",  # noqa: S608
                (spec.source_service,),
            )
    stamp = Timestamp()
    stamp.FromDatetime(since)
    subscriber = pubsub_v1.SubscriberClient()
    try:
        subscriber.seek(request={"subscription": subscriber.subscription_path(project, spec.subscription), "time": stamp})
    finally:
        subscriber.close()


def main(argv: list[str] | None = None) -> int:
    """Dispatch ``rebuild`` or re-drive; print what was done."""
    argv = sys.argv[1:] if argv is None else argv
    rebuilding = argv[:1] == ["rebuild"]
    parser = rebuild_parser() if rebuilding else redrive_parser()
    args = parser.parse_args(argv[1:] if rebuilding else argv)
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        parser.error("set DATABASE_URL to the service's database")
    if rebuilding:
        rebuild(database_url, PROJECTIONS[args.projection], args.since, args.project)
        print(f"rebuilding {args.projection}: emptied, subscription sought to {args.since.isoformat()}")
        return 0
    if args.aggregate is None and args.since is None and args.until is None:
        parser.error("choose events with --aggregate ID, or --since T and/or --until T")
    count = redrive(database_url, args)
    print(f"re-drove {count} events of {args.schema}.outbox_events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
