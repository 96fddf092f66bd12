"""REST served by worker processes (``python -m reference_impl --rest-workers N``), parent and child side.

The parent binds the REST port once and starts N children (``python -m
reference_impl.entrypoints.rest_workers``, never by hand) that inherit that listening socket and
each serve the REST app on it against the parent's database, so REST has N interpreters of its
own instead of sharing the parent's GIL with gRPC, relays and consumers; the kernel hands each new
connection to whichever worker accepts first. A worker runs no migrations, relays or consumers, and
holds no state of the parent's: the reference refuses workers together with the test clock and the
fault switches (config.py). ``/metrics`` on the REST port answers with the *parent's* registry
(relays, consumers; the REST app records no metrics of its own), which the parent serves on a
private loopback listener and the worker fetches per scrape, so a scrape means the same with or
without workers.

The workers are children the parent owns (fixtures/process.py): started in parallel, each waited
for until it prints its ready line (with a deadline); stopped with SIGTERM (then SIGKILL) when the
parent stops; terminated by the parent's reaper if the parent is killed outright. A worker that
exits on its own is reported through ``on_death`` and the reference stops as a whole (exit code 1):
the reference is a specification aid, and a quietly restarted worker would hide the fault.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import threading
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from wsgiref.simple_server import WSGIServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, start_http_server

from fixtures.process import Child, ChildError, start

_log = logging.getLogger(__name__)

READY_PREFIX = "lingo-rest-worker ready: pid="
#: How long one worker may take to import, connect to the database and serve.
START_TIMEOUT = 60.0


class RestWorkers:
    """The parent's handle on its REST workers and on the metrics listener they read."""

    def __init__(self, workers: list[Child], metrics_server: WSGIServer) -> None:
        self.workers = workers
        self._metrics_server = metrics_server
        self._stopping = False

    @classmethod
    def start(
        cls, listener: socket.socket, count: int, database_url: str, registry: CollectorRegistry,
        on_death: Callable[[str], None],
    ) -> RestWorkers:
        """Start ``count`` workers serving ``listener`` and return once every one serves.

        ``on_death(message)`` is called (from a watcher thread) when a worker exits before ``stop``.

        Raises:
            RuntimeError: a worker exited or printed no ready line within ``START_TIMEOUT`` seconds;
                the workers already started are stopped first.
        """
        metrics_server, _thread = start_http_server(0, addr="127.0.0.1", registry=registry)
        metrics_url = f"http://127.0.0.1:{metrics_server.server_port}/metrics"
        argv = [sys.executable, "-m", __name__, "--fd", str(listener.fileno()), "--metrics-url", metrics_url,
                "--log-level", logging.getLevelName(logging.getLogger().getEffectiveLevel())]
        env = {"DATABASE_URL": database_url}

        def one(index: int) -> Child | ChildError:
            try:
                return start(f"REST worker {index}", argv, ready=READY_PREFIX, timeout=START_TIMEOUT, env=env,
                             pass_fds=(listener.fileno(),), echo=True)
            except ChildError as error:
                return error

        with ThreadPoolExecutor(max_workers=count) as pool:
            started = list(pool.map(one, range(1, count + 1)))
        workers = cls([c for c in started if isinstance(c, Child)], metrics_server)
        failed = [str(e) for e in started if isinstance(e, ChildError)]
        if failed:
            workers.stop()
            raise RuntimeError("\n".join(failed))
        for child in workers.workers:
            threading.Thread(target=workers._watch, args=(child, on_death), name=f"watch-{child.name}", daemon=True).start()
        _log.info("REST served by %d worker processes: %s", count, [c.pid for c in workers.workers])
        return workers

    def _watch(self, child: Child, on_death: Callable[[str], None]) -> None:
        code = child.wait()
        if self._stopping or child.stopping:
            return
        child.death_reported = True
        on_death(f"{child.name} (pid {child.pid}) exited with code {code}; its output is above")

    def stop(self, grace: float = 2.0) -> None:
        """SIGTERM every worker, SIGKILL what is left after ``grace`` seconds; close the metrics listener."""
        self._stopping = True
        with ThreadPoolExecutor(max_workers=max(len(self.workers), 1)) as pool:
            list(pool.map(lambda child: child.stop(grace), self.workers))
        self._metrics_server.shutdown()
        self._metrics_server.server_close()


# --- the worker process ---------------------------------------------------------------------------


def _parent_metrics(url: str) -> Callable[[], tuple[bytes, str]]:
    def fetch() -> tuple[bytes, str]:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - the parent's loopback URL
            return response.read(), response.headers.get("Content-Type", CONTENT_TYPE_LATEST)

    return fetch


def main(argv: list[str] | None = None) -> int:
    """Serve the REST app on the inherited socket until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(prog=f"python -m {__name__}", description=__doc__.splitlines()[0])
    parser.add_argument("--fd", type=int, required=True, help="the inherited listening socket")
    parser.add_argument("--metrics-url", required=True, help="the parent's private metrics listener")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format=f"%(asctime)s %(levelname)s rest-worker-{os.getpid()} %(name)s: %(message)s")

    import uvicorn  # noqa: PLC0415 - the parent imports this module too and needs none of these

    from reference_impl.adapters.database import create_pool  # noqa: PLC0415
    from reference_impl.config import Settings  # noqa: PLC0415
    from reference_impl.entrypoints.read_models import read_model_router  # noqa: PLC0415
    from reference_impl.entrypoints.rest_app import create_app  # noqa: PLC0415
    from reference_impl.entrypoints.rest_limits import uvicorn_config  # noqa: PLC0415

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                print(f"{READY_PREFIX}{os.getpid()}", flush=True)

    settings = Settings.from_env(os.environ["DATABASE_URL"])
    pool = create_pool(settings.database_url)
    app = create_app(settings, CollectorRegistry(), pool, metrics=_parent_metrics(args.metrics_url))
    app.include_router(read_model_router(pool, None))
    listener = socket.socket(fileno=args.fd)
    try:
        Server(uvicorn_config(app, log_level="warning", lifespan="off")).run(sockets=[listener])
    finally:
        pool.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
