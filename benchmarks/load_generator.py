"""Benchmark: what one load-generator process pays per call, next to a raw client loop.

The load users call the target through the suite's driver (contract checks included) under gevent,
and record every call as a locust entry. This measures that path's calls per CPU-second of the
generator process — for GetProfile over gRPC and over REST — next to the leanest client loop of
the same call: plain grpcio stubs on threads, and geventhttpclient (the client of locust's
FastHttpUser). The answers come from a minimal server in another process that returns one fixed
profile, so the server's CPU is not counted. Each client runs in a process of its own (gevent
patches a whole process), with one client per caller as each locust user has its own driver.
Prints a table with the ratio driver / raw per CPU-second (aim: at least 0.5); the calls/s columns
are capped by the minimal server and by whatever else the machine runs, so read the ratio.

    python -m benchmarks.load_generator [--seconds 5] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import time
import uuid

from fixtures.process import start

USER = str(uuid.uuid4())
CLIENTS = ("driver-grpc", "raw-grpc", "driver-rest", "raw-rest")


def serve(kind: str, port: int) -> None:
    """Answer GetProfile with one fixed profile until killed."""
    from contracts.gen.profile.v1 import profile_pb2, profile_pb2_grpc  # noqa: PLC0415

    profile = profile_pb2.Profile(user_id=USER, display_name="bench", profile_version=1)
    if kind == "grpc":
        from concurrent import futures  # noqa: PLC0415

        import grpc  # noqa: PLC0415

        class Profiles(profile_pb2_grpc.ProfileServiceServicer):
            def GetProfile(self, request, context):  # noqa: ANN001, ANN202, N802, ARG002 - the contract's RPC
                return profile_pb2.GetProfileResponse(profile=profile)

        server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        profile_pb2_grpc.add_ProfileServiceServicer_to_server(Profiles(), server)
        server.add_insecure_port(f"127.0.0.1:{port}")
        server.start()
        print("ready", flush=True)
        server.wait_for_termination()
        return
    from google.protobuf import json_format  # noqa: PLC0415
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: PLC0415

    body = json_format.MessageToJson(profile).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 1 << 16  # one write per answer: headers and body apart would meet Nagle and delayed ACKs

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("etag", '"1"')
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    ThreadingHTTPServer.daemon_threads = True
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    server.serve_forever()


def client(kind: str, port: int, seconds: float, concurrency: int) -> None:
    """Call GetProfile as fast as ``concurrency`` callers can for ``seconds``; print calls and CPU seconds."""
    if kind.startswith("driver") or kind == "raw-rest":
        from gevent import monkey  # noqa: PLC0415

        monkey.patch_all()
    import threading  # noqa: PLC0415

    make_call = _driver_call(kind, port) if kind.startswith("driver") else _raw_call(kind, port)
    calls = [make_call() for _ in range(concurrency)]  # one client per caller, as each locust user has its own
    counts = [0] * concurrency
    deadline = time.perf_counter() + seconds

    def loop(index: int) -> None:
        call = calls[index]
        while time.perf_counter() < deadline:
            call()
            counts[index] += 1

    cpu = time.process_time()
    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"calls": sum(counts), "cpu": time.process_time() - cpu, "wall": time.perf_counter() - started}))


def _driver_call(kind: str, port: int):  # noqa: ANN202
    import grpc.experimental.gevent as grpc_gevent  # noqa: PLC0415

    grpc_gevent.init_gevent()
    from locust.env import Environment  # noqa: PLC0415

    from fixtures.targets import target_from_url  # noqa: PLC0415
    from steps.driver import Driver, Identity  # noqa: PLC0415

    surface = kind.removeprefix("driver-")
    address = f"127.0.0.1:{port}"
    target = target_from_url(f"grpc://{address}?rest=http://{address}")
    from load._http import GeventTransport  # noqa: PLC0415

    identity = Identity.of_user(USER)
    environment = Environment()
    environment.create_local_runner()

    def make_call():  # noqa: ANN202
        driver = Driver(target, "bench-", observe_events=False, http_transport=GeventTransport())

        def call() -> None:
            began = time.perf_counter()
            outcome = driver.get_profile(identity, surface)
            environment.events.request.fire(
                request_type=surface, name="GetProfile", response_time=(time.perf_counter() - began) * 1000,
                response_length=outcome.response.ByteSize(),
                exception=None if outcome.ok else RuntimeError(outcome.code), context={},
            )

        return call

    return make_call


def _raw_call(kind: str, port: int):  # noqa: ANN202
    from steps.driver import Identity  # noqa: PLC0415

    metadata = Identity.of_user(USER).grpc_metadata()
    if kind == "raw-grpc":
        import grpc  # noqa: PLC0415

        from contracts.gen.profile.v1 import profile_pb2, profile_pb2_grpc  # noqa: PLC0415

        request = profile_pb2.GetProfileRequest()

        def make_grpc():  # noqa: ANN202
            stub = profile_pb2_grpc.ProfileServiceStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
            return lambda: stub.GetProfile(request, metadata=metadata, timeout=10)

        return make_grpc
    from geventhttpclient import HTTPClient  # noqa: PLC0415

    headers = dict(metadata)

    def make_rest():  # noqa: ANN202
        http = HTTPClient("127.0.0.1", port)
        return lambda: http.get("/api/v1/profile", headers=headers).read()

    return make_rest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _measure(kind: str, seconds: float, concurrency: int) -> dict[str, float]:
    port = _free_port()
    surface = kind.split("-")[1]
    server = start(  # a child the reaper stops should the benchmark be killed
        f"the {surface} server", [sys.executable, "-m", "benchmarks.load_generator", "--serve", surface, "--port", str(port)],
        ready=lambda line: line.strip() == "ready", timeout=60,
    )
    try:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "benchmarks.load_generator", "--client", kind, "--port", str(port),
             "--seconds", str(seconds), "--concurrency", str(concurrency)],
            capture_output=True, text=True, timeout=seconds + 120, check=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        server.stop()


def main() -> None:
    """Run the benchmark and print the table (or serve / be one client, when called so by itself)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time per client")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent callers per client process")
    parser.add_argument("--serve", choices=("grpc", "rest"), help=argparse.SUPPRESS)
    parser.add_argument("--client", choices=CLIENTS, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    if args.client:
        client(args.client, args.port, args.seconds, args.concurrency)
        return
    print(f"GetProfile from one process, {args.concurrency} callers, {args.seconds:g} s each, minimal server elsewhere")
    print(f"{'surface':>7} | {'driver calls/s':>14} {'per CPU-s':>9} | {'raw calls/s':>11} {'per CPU-s':>9} | {'driver/raw per CPU-s':>20}")
    for surface in ("grpc", "rest"):
        driver = _measure(f"driver-{surface}", args.seconds, args.concurrency)
        raw = _measure(f"raw-{surface}", args.seconds, args.concurrency)
        per_cpu = [m["calls"] / m["cpu"] for m in (driver, raw)]
        print(f"{surface:>7} | {driver['calls'] / driver['wall']:>14.0f} {per_cpu[0]:>9.0f} | "
              f"{raw['calls'] / raw['wall']:>11.0f} {per_cpu[1]:>9.0f} | {per_cpu[0] / per_cpu[1]:>20.2f}")


if __name__ == "__main__":
    main()
