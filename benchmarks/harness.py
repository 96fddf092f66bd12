"""What every benchmark here shares: concurrent clients calling for a fixed time, with latencies."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable


def measure(clients: int, seconds: float, make_call: Callable[[], Callable[[], None]]) -> tuple[float, float, float]:
    """Run ``clients`` threads, each with its own ``make_call()``, for ``seconds``.

    Returns:
        (calls per second, p50 ms, p99 ms) over all clients.
    """
    latencies: list[list[float]] = [[] for _ in range(clients)]
    deadline: list[float] = []
    # The clock starts once every client is ready: a slow ``make_call`` (a TLS context, a channel)
    # must not eat into the measuring time.
    start = threading.Barrier(clients + 1, action=lambda: deadline.append(time.perf_counter() + seconds))

    def worker(index: int) -> None:
        call = make_call()
        start.wait()
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            call()
            latencies[index].append((time.perf_counter() - began) * 1000)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join()
    flat = sorted(x for per in latencies for x in per)
    return len(flat) / seconds, statistics.median(flat), flat[max(int(len(flat) * 0.99) - 1, 0)]
