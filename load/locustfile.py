"""Locust users for the Lingo backend, driving a target through the suite's own driver.

``locust -f load/locustfile.py --headless -u 20 -r 5 -t 30s --target-url grpc://127.0.0.1:9000``

Every call goes through ``steps.driver.Driver``, so the contract checks of ``steps/driver/checks.py``
run under load too: a response that breaks the contract counts as a failure, not just an error.
"""

# locust must come first: gevent's monkey-patching has to precede grpc, ssl and requests.
import locust  # isort: skip
import grpc.experimental.gevent as grpc_gevent  # isort: skip

import time
import uuid

from locust import User, between, events, task

from fixtures.data import upload_request
from fixtures.targets import target_from_url
from steps.driver.checks import ContractViolation
from steps.driver import Driver, Identity, Outcome

grpc_gevent.init_gevent()


@events.init_command_line_parser.add_listener
def _(parser) -> None:  # noqa: ANN001 - locust's argparse wrapper
    parser.add_argument("--target-url", default="grpc://127.0.0.1:9000", help="grpc://HOST:PORT?... of the target")


class UploadUser(User):
    """A signed-in user initialising uploads of fresh files."""

    wait_time = between(0.0, 0.05)

    def on_start(self) -> None:
        """Open this user's driver."""
        self.run_id = f"load-{uuid.uuid4().hex[:8]}-"
        # Observing events would give every simulated user subscriptions of its own; load only calls.
        target = target_from_url(self.environment.parsed_options.target_url)
        self.driver = Driver(target, self.run_id, observe_events=False)
        self.identity = Identity.of_user(str(uuid.uuid4()))

    def on_stop(self) -> None:
        """Close the driver's channels."""
        self.driver.close()

    @task
    def init_upload(self) -> None:
        """InitResumableUpload for a new file."""
        self._record(lambda: self.driver.init_upload(self.identity, **upload_request(self.run_id)))

    def _record(self, call) -> None:  # noqa: ANN001
        started = time.perf_counter()
        outcome: Outcome | None = None
        failure: Exception | None = None
        try:
            outcome = call()
            if not outcome.ok:
                failure = RuntimeError(f"{outcome.code} {outcome.reason}: {outcome.message}")
        except ContractViolation as violation:
            failure = violation
        self.environment.events.request.fire(
            request_type="grpc",
            name=outcome.operation if outcome else "call",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=outcome.response.ByteSize() if outcome and outcome.ok else 0,
            exception=failure,
            context={},
        )


__all__ = ["UploadUser", "locust"]
