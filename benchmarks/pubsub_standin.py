"""Benchmark: the Pub/Sub stand-in against Google's emulator, side by side, in one run.

    python benchmarks/pubsub_standin.py [--messages 5000] [--size 1024] [--keys 100] [--startup-runs 3]
                                        [--backends standin,emulator]

Both servers run as child processes (the stand-in via ``python -m fixtures.pubsub``, the emulator
via ``gcloud beta emulators pubsub start``); the real ``google-cloud-pubsub`` client drives both
from this process with default batching. Measured per backend:

- startup: process start until the ready line (median of ``--startup-runs``);
- latency: one 1-message Publish call at a time (the GAPIC call, no client batching), 500 calls;
- conc publish: 8 threads, each 100 Publish calls of 10 messages (GAPIC calls), messages/s;

and per case — once without ordering keys, once with ``--keys`` ordering keys (round-robin) on a
subscription with message ordering enabled; a warm-up of 200 messages precedes timing:

- publish: N messages of ``--size`` bytes, first ``publish()`` until every future resolved
  (best of five rounds, as timeit does; only the last reaches the subscriptions);
- pull: those N messages received and acked with unary Pull (``max_messages=1000``);
- stream: the same N messages, on a second subscription, received and acked through
  ``subscribe()`` (StreamingPull);
- server cpu: CPU seconds the server process (and its children) spent over the whole case
  (warm-up, five publish rounds, pull, stream) divided by N, in microseconds. Publish throughput
  is bound by the Python client on a small machine, so this is the fairer measure of the server.

Prints a table; the ratio column reads "times better for the stand-in" (higher throughput, or
lower time and CPU). The unordered case runs first and warms the emulator's JIT for the ordered
one (``--ordered-first`` swaps them). Not a test: numbers vary with the machine and its load;
ratios measured in one run are the point.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures.pubsub.process import ChildProcess, start_google_emulator, start_standin  # noqa: E402
from fixtures.pubsub.testing import real_clients  # noqa: E402

PROJECT = "bench"


def startup(start, runs: int) -> tuple[float, ChildProcess, str]:
    """Median startup seconds over ``runs`` starts; the last child is left running and returned."""
    times, child, host = [], None, None
    for i in range(runs):
        if child is not None:
            child.stop()
        started = start()
        child, host = started[0], started[1]
        times.append(child.startup_seconds)
    return statistics.median(times), child, host


def server_cpu_seconds(child: ChildProcess) -> float:
    """User + system CPU of the child and its descendants (gcloud runs Java as a grandchild)."""
    import psutil

    root = psutil.Process(child.pid)
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        try:
            t = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
    return total


def run_calls(host: str, size: int) -> dict[str, float]:
    """Per-call Publish latency, and throughput of concurrent Publish calls (GAPIC, no batching)."""
    payload = os.urandom(size)
    out: dict[str, float] = {}
    with real_clients(host, PROJECT) as c:
        topic = f"projects/{PROJECT}/topics/calls-{uuid.uuid4().hex[:8]}"
        c.publisher.create_topic(name=topic)
        for _ in range(100):
            c.publisher.api.publish(topic=topic, messages=[{"data": payload}])
        t0 = time.perf_counter()
        for _ in range(500):
            c.publisher.api.publish(topic=topic, messages=[{"data": payload}])
        out["latency"] = (time.perf_counter() - t0) / 500 * 1e6

        # Eight threads of 10-message calls: how the server copes with concurrent calls (the
        # ordered case's publisher keeps one call in flight per ordering key).
        def caller() -> None:
            for _ in range(100):
                c.publisher.api.publish(topic=topic, messages=[{"data": payload}] * 10)

        threads = [threading.Thread(target=caller) for _ in range(8)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        out["conc publish"] = 8 * 100 * 10 / (time.perf_counter() - t0)
    return out


def run_case(host: str, n: int, size: int, keys: int) -> dict[str, float]:
    """Publish/pull/stream throughput (messages per second) against one endpoint."""
    from google.cloud import pubsub_v1

    ordered = keys > 0
    payload = os.urandom(size // 2).hex().encode()[:size]
    out: dict[str, float] = {}
    with real_clients(host, PROJECT) as c:
        topic = f"projects/{PROJECT}/topics/b-{uuid.uuid4().hex[:8]}"
        c.publisher.create_topic(name=topic)
        def publish_all() -> float:
            t0 = time.perf_counter()
            futures = [c.publisher.publish(topic, payload, ordering_key=f"key-{i % keys}" if ordered else "")
                       for i in range(n)]
            for f in futures:
                f.result(timeout=120)
            return n / (time.perf_counter() - t0)

        # Warm up channel and server (connection setup, first-call costs), then time five publish
        # rounds and keep the best, as timeit does: a round lasts a fraction of a second and other
        # load on the machine only ever slows it down. Only the last round reaches the
        # subscriptions, which are created just before it.
        for f in [c.publisher.publish(topic, payload, ordering_key="warm" if ordered else "") for _ in range(200)]:
            f.result(timeout=60)
        rounds = [publish_all() for _ in range(4)]
        subs = {}
        for kind in ("pull", "stream"):
            subs[kind] = f"projects/{PROJECT}/subscriptions/b-{kind}-{uuid.uuid4().hex[:8]}"
            c.subscriber.create_subscription(request={"name": subs[kind], "topic": topic,
                                                      "enable_message_ordering": ordered, "ack_deadline_seconds": 60})
        rounds.append(publish_all())
        out["publish"] = max(rounds)

        # Unary Pull: drain the "pull" subscription (the "stream" one holds its own copy).
        t0, got = time.perf_counter(), 0
        deadline = time.monotonic() + 120
        while got < n and time.monotonic() < deadline:
            try:
                resp = c.subscriber.pull(subscription=subs["pull"], max_messages=1000, timeout=10)
            except Exception:  # noqa: BLE001 - an empty long poll ends as DEADLINE_EXCEEDED on the emulator
                continue
            ids = [r.ack_id for r in resp.received_messages]
            if ids:
                c.subscriber.acknowledge(subscription=subs["pull"], ack_ids=ids)
            got += len(ids)
        out["pull"] = got / (time.perf_counter() - t0) if got >= n else float("nan")

        # StreamingPull through subscribe(): the copy waiting on the "stream" subscription.
        done, count, lock = threading.Event(), [0], threading.Lock()

        def callback(message) -> None:
            message.ack()
            with lock:
                count[0] += 1
                if count[0] >= n:
                    done.set()

        t0 = time.perf_counter()
        future = c.subscriber.subscribe(subs["stream"], callback,
                                        flow_control=pubsub_v1.types.FlowControl(max_messages=1000))
        finished = done.wait(120)
        out["stream"] = n / (time.perf_counter() - t0) if finished else float("nan")
        future.cancel()
        future.result(timeout=10)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--messages", type=int, default=5000)
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--keys", type=int, default=100, help="ordering keys in the ordered case")
    p.add_argument("--startup-runs", type=int, default=3)
    p.add_argument("--backends", default="standin,emulator", help="comma-separated subset of standin,emulator")
    p.add_argument("--ordered-first", action="store_true",
                   help="run the ordered case first (the JVM is then cold for it; by default the unordered "
                        "case runs first and warms the emulator's JIT for the ordered one)")
    args = p.parse_args()
    cases = [("unordered", 0), ("ordered", args.keys)]
    if args.ordered_first:
        cases.reverse()
    wanted = set(args.backends.split(","))

    backends = {"standin": lambda: start_standin()[:2]} if "standin" in wanted else {}
    if "emulator" in wanted and shutil.which("gcloud"):
        backends["emulator"] = lambda: start_google_emulator(project=PROJECT)
    elif "emulator" in wanted:
        print("gcloud not found: measuring the stand-in only", file=sys.stderr)

    results: dict[str, dict[str, float]] = {}
    for name, start in backends.items():
        print(f"[{name}] starting ({args.startup_runs} runs)...", file=sys.stderr, flush=True)
        secs, child, host = startup(start, args.startup_runs)
        try:
            r = {"startup_s": secs}
            r.update(run_calls(host, args.size))
            for label, keys in cases:
                print(f"[{name}] {label}: {args.messages} x {args.size} B...", file=sys.stderr, flush=True)
                cpu0 = server_cpu_seconds(child)
                for metric, value in run_case(host, args.messages, args.size, keys).items():
                    r[f"{metric} {label}"] = value
                # Per message received: 3 publish rounds + 2 subscriptions' deliveries, divided by N.
                r[f"server cpu {label}"] = (server_cpu_seconds(child) - cpu0) / args.messages * 1e6
            results[name] = r
        finally:
            child.stop()

    rows = list(next(iter(results.values())))
    print(f"\n{args.messages} messages of {args.size} B; ordered case uses {args.keys} ordering keys; "
          f"startup = median of {args.startup_runs}\n")
    header = f"{'metric':<22}" + "".join(f"{n:>14}" for n in results) + (f"{'ratio':>10}" if len(results) == 2 else "")
    print(header)
    print("-" * len(header))
    for row in rows:
        vals = [results[n][row] for n in results]
        unit = ("s" if row == "startup_s" else "us" if row.startswith("server cpu")
                else "call" if row == "latency" else "msg/s")
        fmt = {"s": "{:>11.3f} s ", "us": "{:>9.0f} us/m", "call": "{:>9.0f} us/c", "msg/s": "{:>10.0f} m/s"}[unit]
        cells = "".join(fmt.format(v) for v in vals)
        ratio = ""
        if len(vals) == 2:
            # Ratios read "how many times better the stand-in is": less time or CPU, more throughput.
            ratio = f"{(vals[0] / vals[1] if unit == 'msg/s' else vals[1] / vals[0]):>9.2f}x"
        print(f"{row:<22}{cells}{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
