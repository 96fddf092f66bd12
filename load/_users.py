"""What every Lingo user shares: its own driver, and turning each driver call into a locust entry.

A call becomes one locust request entry named for the call (``grpc MutateFavorite``, ``rest
GetProfile`` …), never for its URL, so entries stay few. An answer that breaks a contract check
is recorded instead under its own entry ``contract contract:<rule>``, so contract violations are a
failure category of their own; ``--check-rate`` decides which calls are checked at all.
"""

# grpc's gevent support must be switched on before the first channel exists.
import grpc.experimental.gevent as grpc_gevent  # isort: skip

import contextlib
import logging
import random
import time
import uuid
from collections.abc import Callable
from urllib.parse import unquote

from locust import User, events

from fixtures.data import TestFile, upload_request
from load import _events
from load._http import GeventTransport
from load._settings import Settings, current
from steps.driver import ContractViolation, Driver, Identity, Outcome, checks
from steps.driver.events import ObservedEvent
from steps.driver.upload import md5_base64, signed_url_parts
from steps.eventually import NotYet, eventually

grpc_gevent.init_gevent()
logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request would cost more than the request

CONTRACT = "contract"
LAG = "lag"
VIDEO_CREATED = "catalog.video.created"


@events.test_start.add_listener
def _drop_idle_classes(environment, **_kwargs) -> None:  # noqa: ANN001 - locust's Environment
    """Leave out user classes that ``-T``/``-E`` left without tasks (locust would start them and fail)."""
    idle = [user_class.__name__ for user_class in environment.user_classes if not user_class.tasks]
    if idle and len(idle) < len(environment.user_classes):
        environment.user_classes[:] = [u for u in environment.user_classes if u.tasks]
        logging.info("no tasks left after tag filtering: %s not started", ", ".join(idle))


class CallFailed(Exception):
    """A call the target answered with an error status (the entry's failure text: status and reason)."""


class LingoUser(User):
    """A simulated user with a driver of its own; subclasses add tasks per area."""

    abstract = True

    def on_start(self) -> None:
        """Open this user's driver (no event subscriptions: those are shared per process)."""
        self.settings: Settings = current(self.environment)
        self.run_id = f"load-{uuid.uuid4().hex[:8]}-"
        self.driver = Driver(self.settings.target, self.run_id, observe_events=False, http_transport=GeventTransport())
        self.identity = Identity.of_user(str(uuid.uuid4()))

    def on_stop(self) -> None:
        """Close the driver's channels."""
        self.driver.close()

    def can(self, capability: str) -> bool:
        """Whether the target offers ``capability``."""
        return capability in self.settings.target.capabilities

    def call(self, surface: str, name: str, action: Callable[[], Outcome], *, expect: str = "OK") -> Outcome | None:
        """Run one driver call, record it, and return its outcome (``None`` when it broke a contract).

        The call fails unless its status is ``expect`` (a refusal can be the point of a call).
        """
        checked = random.random() < self.settings.check_rate  # noqa: S311 - sampling, not security
        started = time.perf_counter()
        try:
            with contextlib.nullcontext() if checked else checks.unchecked():
                outcome = action()
        except ContractViolation as violation:
            self.violation(name, violation, (time.perf_counter() - started) * 1000)
            return None
        failure = None if outcome.code == expect else CallFailed(f"{outcome.code} {outcome.reason or ''}".strip())
        length = _size(outcome.response) if outcome.ok else 0
        self.record(surface, name, (time.perf_counter() - started) * 1000, length, failure)
        return outcome

    def violation(self, name: str, violation: ContractViolation, elapsed_ms: float = 0.0) -> None:
        """Record an answer that broke a contract check, under ``contract:<rule>``."""
        self.record(CONTRACT, f"contract:{violation.rule}", elapsed_ms, 0, CallFailed(f"{name}: {violation.title}"))

    def arrived(self, name: str, event: ObservedEvent | None, since: float, patience: float = 30.0) -> None:
        """Record the lag from ``since`` (``time.time()``) to ``event``'s arrival as ``lag <name>``.

        An event that did not come within ``patience`` seconds is a failure of that entry; one that
        breaks its topic's contract is recorded under ``contract:published-message`` as well.
        """
        if event is None:
            self.record(LAG, name, patience * 1000, failure=CallFailed(f"no event within {patience:g} s"))
            return
        self.record(LAG, name, max(event.received_at - since, 0.0) * 1000)
        if event.violations:
            self.record(CONTRACT, "contract:published-message", 0, failure=CallFailed(f"{event.event_type}: breaks its contract"))

    def record(self, kind: str, name: str, elapsed_ms: float, length: int = 0, failure: Exception | None = None) -> None:
        """Add one sample to the entry ``kind name``."""
        self.environment.events.request.fire(
            request_type=kind, name=name, response_time=elapsed_ms, response_length=length, exception=failure,
            context={},
        )


def _size(response: object) -> int:
    byte_size = getattr(response, "ByteSize", None)
    return byte_size() if byte_size else 0


def upload_file(user: LingoUser, identity: Identity, size: int, *, record: bool) -> tuple[str, float] | None:
    """Init an upload of a fresh file and write its bytes; the video id and when storage finished.

    Bytes go through the signed URL when the target offers ``storage``; otherwise, with
    ``publish_raw``, the OBJECT_FINALIZE storage would send is published instead. ``None`` when the
    target offers neither or a step failed. With ``record``, each step is a locust entry.
    """
    file = TestFile.random(size)
    fields = upload_request(
        user.run_id, size_bytes=size, content_type=file.content_type, content_md5_hex=file.md5_hex
    )
    init = (
        user.call("grpc", "InitResumableUpload", lambda: user.driver.init_upload(identity, **fields))
        if record else user.driver.init_upload(identity, **fields)
    )
    if init is None or not init.ok:
        return None
    video_id, url = init.response.video_id, init.response.resumable_init_url
    if record and _events.observer(user.settings) is not None:
        _events.expect(video_id, VIDEO_CREATED)
    started = time.perf_counter()
    if user.can("storage"):
        stored = user.driver.upload_file(url, file.content_type, file.data)
        failure = None if stored.status in (200, 201) else CallFailed(f"HTTP {stored.status} {stored.error_code or ''}")
        kind, name = "storage", "upload bytes"
    elif user.can("publish_raw") and (observer := _events.observer(user.settings)) is not None:
        _, path, _ = signed_url_parts(url)
        bucket, _, name_in_bucket = path.lstrip("/").partition("/")
        observer.publish_finalize(
            bucket, unquote(name_in_bucket), generation=str(time.time_ns()), md5_base64=md5_base64(file.data), size=size
        )
        failure, kind, name = None, "pubsub", "OBJECT_FINALIZE"
    else:
        return None
    finished = time.time()
    if record:
        user.record(kind, name, (time.perf_counter() - started) * 1000, size, failure)
    if failure is not None:
        _events.forget(video_id, VIDEO_CREATED)
        return None
    return video_id, finished


def make_video(user: LingoUser, identity: Identity, timeout: float = 30.0) -> str | None:
    """A video of ``identity`` that the catalog knows (uploaded now, unrecorded), or ``None``."""
    uploaded = upload_file(user, identity, 1024, record=False)
    if uploaded is None:
        return None
    video_id = uploaded[0]
    try:
        eventually(
            lambda: user.driver.get_video_metadata(identity, video_id).ok, timeout=timeout, interval=0.1,
            what=f"the catalog knows video {video_id}",
        )
    except NotYet:
        return None
    return video_id
