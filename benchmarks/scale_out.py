"""Benchmark: what a second reference process buys, InitResumableUpload with 1 vs 2 processes.

Starts PostgreSQL and the stand-ins once, then for 1 and 2 reference processes sharing their
ports (``SO_REUSEPORT``, fixtures/reference.py ``scaled_out_references``), each on a fresh
database, measures InitResumableUpload calls/s and p50/p99 at 32 clients. Every client has its
own gRPC connection (a local subchannel pool), so the kernel can hand connections to either
process; the clients call the generated stub directly, the same way for both columns.

    python -m benchmarks.scale_out [--seconds 5] [--clients 32]
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import grpc

from benchmarks.harness import measure
from contracts.gen.video.v1 import upload_pb2, upload_pb2_grpc
from fixtures.data import upload_request
from fixtures.postgres import PostgresServer, postgres_server
from fixtures.reference import scaled_out_references, standins
from fixtures.targets import TargetConfig
from steps.driver import Identity

Cell = tuple[float, float, float]
PROCESSES = (1, 2)
CLIENTS = 32


def upload_calls(target: TargetConfig) -> Callable[[], Callable[[], None]]:
    """Per-thread InitResumableUpload callers, each on its own connection, for new files of a new user."""

    def make() -> Callable[[], None]:
        channel = grpc.insecure_channel(target.catalog_grpc or "", options=[("grpc.use_local_subchannel_pool", 1)])
        stub = upload_pb2_grpc.UploadServiceStub(channel)
        metadata = tuple(Identity.of_user(str(uuid.uuid4())).grpc_metadata())

        def call() -> None:
            stub.InitResumableUpload(upload_pb2.InitResumableUploadRequest(**upload_request("bench-")),
                                     metadata=metadata, timeout=10)

        return call

    return make


def cells(postgres: PostgresServer, env: dict[str, str], seconds: float, clients: int) -> dict[int, Cell]:
    """(calls/s, p50 ms, p99 ms) per number of reference processes."""
    table = {}
    for count in PROCESSES:
        with scaled_out_references(postgres.create_database(), count=count, extra_env=env) as target:
            upload_calls(target)()()  # connect and warm up before the clock runs
            table[count] = measure(clients, seconds, upload_calls(target))
    return table


def print_table(seconds: float, clients: int, table: dict[int, Cell]) -> None:
    """The table of ``cells``."""
    print(f"InitResumableUpload, {clients} clients, 1 vs 2 reference processes on shared ports, {seconds:g} s per cell")
    print(f"{'processes':>9} | {'calls/s':>8} {'p50 ms':>7} {'p99 ms':>7} | {'vs 1':>5}")
    for count, (rate, p50, p99) in table.items():
        print(f"{count:>9} | {rate:>8.0f} {p50:>7.2f} {p99:>7.2f} | {rate / table[1][0]:>5.2f}")


def measure_all(seconds: float, clients: int) -> dict[int, Cell]:
    """Start PostgreSQL and the stand-ins, measure every cell, stop them."""
    with postgres_server() as postgres, tempfile.TemporaryDirectory() as workdir, standins("lingo-bench", Path(workdir)) as env:
        return cells(postgres, env, seconds, clients)


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time per cell")
    parser.add_argument("--clients", type=int, default=CLIENTS, help="concurrent clients")
    args = parser.parse_args()
    print_table(args.seconds, args.clients, measure_all(args.seconds, args.clients))


if __name__ == "__main__":
    main()
