"""Settings of the reference service: one typed object, read once from the environment.

Every knob has a development default so ``python -m reference_impl`` runs with nothing set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

from reference_impl import defects

#: Most REST worker processes one reference starts.
MAX_REST_WORKERS = 64

ALLOWED_CONTENT_TYPES = frozenset(
    {
        "video/mp4",
        "video/quicktime",
        "video/x-m4v",
        "video/webm",
        "video/3gpp",
        "video/3gpp2",
        "application/octet-stream",
    }
)


@dataclass(frozen=True)
class Settings:
    """The reference service's configuration.

    Attributes:
        database_url: DSN of the database holding the ``catalog`` and ``profile`` schemas.
        host: address the gRPC and HTTP servers bind to.
        grpc_port: gRPC port; 0 picks a free one (the ready line says which).
        http_port: REST port; 0 picks a free one.
        reuse_port: bind both ports with ``SO_REUSEPORT``, so several reference processes share
            them and the kernel spreads connections over them; off, a taken port is an error.
        rest_workers: serve REST from this many child processes (0: a thread of this process). The
            workers share the REST listening socket and run only the REST app, so REST no longer
            competes with gRPC, relays and consumers for one GIL. They cannot see state held in
            this process, so workers exclude ``test_clock`` and the fault switches
            (``pubsub_faults_url``): asking for both is a ``ConfigError``.
        pubsub_project: project of the topics in contracts/pubsub.yaml.
        pubsub_emulator_host: ``host:port`` of the Pub/Sub server, if not Google's.
        storage_url: base URL signed upload URLs point at (a GCS stand-in locally).
        gcs_bucket: bucket receiving raw uploads.
        signed_url_ttl: lifetime of a signed upload URL.
        max_upload_bytes: largest file a client may declare.
        gcs_service_account_file: service-account JSON whose key signs upload URLs.
        pubsub_faults_url: fault-control API of the Pub/Sub stand-in, advertised to the suite.
        pubsub_retry_seconds: (min, max) redelivery backoff for locally provisioned subscriptions,
            overriding contracts/pubsub.yaml so poison messages dead-letter quickly in tests.
        relay_interval: longest wait of an idle outbox relay before it polls again. Its writers
            notify commits and the relay wakes for backoffs and lapsed leases on its own, so
            this only bounds the delay for rows written by something else.
        run_relays: run the outbox relays in this process.
        run_consumers: run the inbox consumers in this process.
        test_clock: let tests move the service's clock (``POST /_reference/clock/advance``).
        watch_retention: how long a watch-history entry is kept after its last report.
        page_token_key: key that makes list page tokens tamper-evident; the same on every instance.
        service_actors: ids of the internal services (``x-md-actor-id`` with ``x-md-actor-type:
            service``) allowed to call CatalogLifecycleService and to read every video.
        idempotency_ttl: how long a catalog write's idempotency key replays its first answer.
    """

    database_url: str
    host: str = "127.0.0.1"
    grpc_port: int = 0
    http_port: int = 0
    reuse_port: bool = False
    rest_workers: int = 0
    pubsub_project: str = "lingo-local"
    pubsub_emulator_host: str | None = None
    storage_url: str = "https://storage.googleapis.com"
    gcs_bucket: str = "media-uploads-dev"
    signed_url_ttl: timedelta = timedelta(seconds=900)
    max_upload_bytes: int = 2 * 1024**3
    gcs_service_account_file: str | None = None
    pubsub_faults_url: str | None = None
    pubsub_retry_seconds: tuple[float, float] | None = None
    relay_interval: float = 0.25
    run_relays: bool = True
    run_consumers: bool = True
    test_clock: bool = False
    watch_retention: timedelta = timedelta(days=30)
    page_token_key: str = "lingo-reference-page-tokens"
    service_actors: frozenset[str] = frozenset({"upload-runner", "media-pipeline", "ai-pipeline", "moderation"})
    idempotency_ttl: timedelta = timedelta(hours=24)

    @classmethod
    def from_env(cls, database_url: str, **overrides: object) -> Settings:
        """Settings from ``LINGO_*`` environment variables, then ``overrides``."""
        env = os.environ
        values: dict[str, object] = {
            "database_url": database_url,
            "host": env.get("LINGO_HOST", cls.host),
            "grpc_port": _env_number("LINGO_GRPC_PORT", cls.grpc_port, int, 0, 65535),
            "http_port": _env_number("LINGO_HTTP_PORT", cls.http_port, int, 0, 65535),
            "reuse_port": env.get("LINGO_REUSE_PORT", "0") == "1",
            "rest_workers": _env_number("LINGO_REST_WORKERS", cls.rest_workers, int, 0, MAX_REST_WORKERS),
            "pubsub_project": env.get("LINGO_PUBSUB_PROJECT", cls.pubsub_project),
            "pubsub_emulator_host": env.get("PUBSUB_EMULATOR_HOST") or None,
            "storage_url": env.get("LINGO_STORAGE_URL", cls.storage_url),
            "gcs_bucket": env.get("LINGO_GCS_BUCKET", cls.gcs_bucket),
            "signed_url_ttl": timedelta(seconds=_env_number("LINGO_SIGNED_URL_TTL_SECONDS", 900, int, 1)),
            "max_upload_bytes": _env_number("LINGO_MAX_UPLOAD_BYTES", cls.max_upload_bytes, int, 1),
            "gcs_service_account_file": env.get("LINGO_GCS_SERVICE_ACCOUNT") or None,
            "pubsub_faults_url": env.get("LINGO_PUBSUB_FAULTS_URL") or None,
            "pubsub_retry_seconds": _pair(env.get("LINGO_PUBSUB_RETRY_SECONDS")),
            "relay_interval": _env_number("LINGO_RELAY_INTERVAL", cls.relay_interval, float, 0),
            "run_relays": env.get("LINGO_RUN_RELAYS", "1") != "0",
            "run_consumers": env.get("LINGO_RUN_CONSUMERS", "1") != "0",
            "test_clock": env.get("LINGO_TEST_CLOCK", "0") == "1",
            "watch_retention": timedelta(days=_env_number("LINGO_WATCH_RETENTION_DAYS", 30, float, 0)),
            "page_token_key": env.get("LINGO_PAGE_TOKEN_KEY", cls.page_token_key),
            "service_actors": _names(env.get("LINGO_SERVICE_ACTORS")) or cls.service_actors,
            "idempotency_ttl": timedelta(seconds=float(env.get("LINGO_IDEMPOTENCY_TTL_SECONDS", 86400))),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        """Refuse combinations the reference cannot honour.

        Raises:
            ConfigError: REST workers together with the test clock, the fault switches or switchable
                seeded defects, whose state lives in the parent process where a worker's request
                could not reach it.
        """
        switchable = defects.switchable()
        if self.rest_workers and (self.test_clock or self.pubsub_faults_url or switchable):
            held = [name for name, on in (("LINGO_TEST_CLOCK=1", self.test_clock),
                                          ("LINGO_PUBSUB_FAULTS_URL", self.pubsub_faults_url),
                                          (f"{defects.SWITCHABLE_ENV}=1", switchable)) if on]
            msg = (f"--rest-workers/LINGO_REST_WORKERS={self.rest_workers} cannot be combined with {' and '.join(held)}: "
                   "the test clock, fault switches and defect switch live in the parent process, out of the REST workers' reach")
            raise ConfigError(msg)


class ConfigError(ValueError):
    """An environment variable holds a value the reference cannot use; the message is one line."""


def _env_number(name: str, default: float, kind: type, low: float, high: float = float("inf")):  # noqa: ANN202
    """``int``/``float`` of ``$name`` within ``low..high``, or ``default`` when unset."""
    text = os.environ.get(name)
    if text is None or text == "":
        return default
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or value != value or not low <= value <= high:
        bounds = f"{low:g}..{high:g}" if high != float("inf") else f"at least {low:g}"
        msg = f"{name}={text!r}: expected {'a whole number' if kind is int else 'a number'} {bounds}"
        raise ConfigError(msg)
    return value


def _pair(value: str | None) -> tuple[float, float] | None:
    """``"0.2,5"`` → ``(0.2, 5.0)``; unset → None."""
    if not value:
        return None
    try:
        low, high = (float(part) for part in value.split(","))
    except ValueError:
        low = high = float("nan")
    if not 0 <= low <= high <= 600:  # noqa: PLR2004 - Pub/Sub's own bounds; NaN fails this too
        msg = f"LINGO_PUBSUB_RETRY_SECONDS={value!r}: expected two numbers MIN,MAX (seconds, 0 <= MIN <= MAX <= 600)"
        raise ConfigError(msg)
    return low, high


def _names(value: str | None) -> frozenset[str]:
    """``"a, b"`` → ``{"a", "b"}``; unset → empty."""
    return frozenset(name.strip() for name in (value or "").split(",") if name.strip())
