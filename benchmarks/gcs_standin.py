"""Benchmark the GCS stand-in: start-up time, and upload throughput single-shot vs 8 MiB chunks.

Prints numbers measured in this run (ratios matter more than absolutes; DESIGN.md §8). Each upload
is a signed resumable session against a stand-in child process on loopback, as in the tests.

    python benchmarks/gcs_standin.py [--size-mib 64] [--repeat 3] [--starts 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx

from fixtures.gcs.plugin import GcsStandin, start_standin, stop_standin, write_service_account
from reference_impl.adapters.gcs_signer import ServiceAccountCredentials, V4Signer

BUCKET = "bench"
HEADERS = {"x-goog-resumable": "start", "x-goog-if-generation-match": "0", "x-upload-content-type": "video/mp4"}
MIB = 1024 * 1024


def _start_session(client: httpx.Client, signer: V4Signer) -> str:
    signed = signer.sign(
        method="POST", bucket=BUCKET, object_name=f"bench/{uuid.uuid4()}", expires_in=timedelta(minutes=15), headers=HEADERS
    )
    response = client.post(signed.url, headers=HEADERS)
    response.raise_for_status()
    return response.headers["location"]


def upload(client: httpx.Client, signer: V4Signer, data: bytes, chunk: int | None) -> float:
    """Seconds for one complete upload (session start included)."""
    began = time.perf_counter()
    session = _start_session(client, signer)
    if chunk is None:
        response = client.put(session, content=data)
    else:
        for offset in range(0, len(data), chunk):
            piece = data[offset : offset + chunk]
            last = offset + len(piece) == len(data)
            total = len(data) if last else "*"
            response = client.put(
                session, content=piece, headers={"Content-Range": f"bytes {offset}-{offset + len(piece) - 1}/{total}"}
            )
            if not last and response.status_code != 308:
                msg = f"chunk at {offset}: expected 308, received {response.status_code} {response.text[:200]}"
                raise RuntimeError(msg)
    if response.status_code != 200:
        msg = f"final request: expected 200, received {response.status_code} {response.text[:200]}"
        raise RuntimeError(msg)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=64, help="object size in MiB (default 64)")
    parser.add_argument("--repeat", type=int, default=3, help="uploads per mode, median reported (default 3)")
    parser.add_argument("--starts", type=int, default=5, help="cold starts to time (default 5)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        keyfile = write_service_account(Path(tmp) / "sa.json")
        starts = []
        for _ in range(args.starts):
            began = time.perf_counter()
            standin = start_standin(keyfile)
            starts.append(time.perf_counter() - began)
            stop_standin(standin)
        print(f"start-up (spawn → healthz 200), {args.starts} runs: median {statistics.median(starts) * 1000:.0f} ms, "
              f"min {min(starts) * 1000:.0f} ms, max {max(starts) * 1000:.0f} ms")

        standin: GcsStandin = start_standin(keyfile)
        try:
            signer = V4Signer(ServiceAccountCredentials.from_file(keyfile), endpoint=standin.base_url)
            data = os.urandom(args.size_mib * MIB)
            results = {}
            with httpx.Client(timeout=120) as client:
                upload(client, signer, data[:MIB], None)  # warm-up
                for label, chunk in (("single-shot", None), ("8 MiB chunks", 8 * MIB)):
                    times = [upload(client, signer, data, chunk) for _ in range(args.repeat)]
                    results[label] = args.size_mib / statistics.median(times)
                    print(f"{label:>13}: {results[label]:7.1f} MiB/s  (median of {args.repeat} × {args.size_mib} MiB)")
            print(f"chunked / single-shot throughput: {results['8 MiB chunks'] / results['single-shot']:.2f}")
        finally:
            stop_standin(standin)


if __name__ == "__main__":
    main()
