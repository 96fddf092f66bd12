"""Cloud Storage V4 signing (``GOOG4-RSA-SHA256``) for signed URLs and POST policies.

The upload service calls :meth:`V4Signer.sign` to hand a client a resumable-upload URL, the same
way the upstream Go service does (``upstream.md`` §1.1: V4, ``POST``, signed headers
``x-goog-resumable:start``, ``x-goog-if-generation-match:0``, ``x-upload-content-type:<ct>``)::

    signer = V4Signer(ServiceAccountCredentials.from_file(keyfile))
    signed = signer.sign(
        method="POST",
        bucket="lingo-raw",
        object_name=f"raw_videos/{user_id}/{video_id}",
        expires_in=timedelta(minutes=15),
        headers={"x-goog-resumable": "start", "x-goog-if-generation-match": "0",
                 "x-upload-content-type": "video/mp4"},
        endpoint="http://127.0.0.1:4443",   # the local GCS stand-in; default is storage.googleapis.com
    )
    signed.url, signed.expires_at, signed.headers

The canonicalisation helpers (:func:`canonical_request`, :func:`string_to_sign`, …) are public
because the GCS stand-in (``fixtures/gcs/verify.py``) recomputes them from incoming requests.
Byte-for-byte agreement with Google's conformance vectors is pinned by
``tests/gcs/test_signer_vectors.py``.

One rule worth knowing: the ``host`` header in the canonical request is the endpoint's host name
*without* its port (``http://localhost:8080`` signs ``host:localhost``). That is what Google's vectors
and the Go client used upstream do, so a verifier must strip the port from ``Host`` as well.

No client or key is loaded at import time; build a signer in bootstrap or a fixture.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = [
    "ALGORITHM",
    "CONTENT_SHA256_HEADER",
    "DEFAULT_ENDPOINT",
    "MAX_EXPIRES_SECONDS",
    "UNSIGNED_PAYLOAD",
    "PostPolicy",
    "ServiceAccountCredentials",
    "SignedUrl",
    "UrlStyle",
    "V4Signer",
    "canonical_headers",
    "canonical_path",
    "canonical_query",
    "canonical_request",
    "credential_scope",
    "encode_query_component",
    "format_timestamp",
    "string_to_sign",
]

ALGORITHM = "GOOG4-RSA-SHA256"
DEFAULT_ENDPOINT = "https://storage.googleapis.com"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
MAX_EXPIRES_SECONDS = 7 * 24 * 60 * 60  # GCS refuses V4 URLs valid for more than 7 days.
CONTENT_SHA256_HEADER = "x-goog-content-sha256"

UrlStyle = Literal["path", "virtual-hosted", "bucket-bound"]

_WHITESPACE_RUN = re.compile(r"\s+")


# --------------------------------------------------------------------------------------------
# Credentials


@dataclass(frozen=True)
class ServiceAccountCredentials:
    """A service account's e-mail (the ``GoogleAccessId``) and its RSA private key."""

    client_email: str
    private_key: rsa.RSAPrivateKey = field(repr=False)

    @classmethod
    def from_info(cls, info: Mapping[str, Any]) -> ServiceAccountCredentials:
        """Build from a parsed service-account JSON key (``client_email``, ``private_key`` PEM)."""
        missing = [k for k in ("client_email", "private_key") if not info.get(k)]
        if missing:
            msg = (
                f"service-account key: expected fields client_email and private_key, missing {missing}; "
                "pass a key file downloaded from IAM (type=service_account)"
            )
            raise ValueError(msg)
        key = serialization.load_pem_private_key(info["private_key"].encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            msg = f"service-account key: expected an RSA private key, received {type(key).__name__}"
            raise ValueError(msg)
        return cls(client_email=info["client_email"], private_key=key)

    @classmethod
    def from_file(cls, path: str | Path) -> ServiceAccountCredentials:
        """Build from a service-account JSON key file."""
        return cls.from_info(json.loads(Path(path).read_text(encoding="utf-8")))

    def public_key(self) -> rsa.RSAPublicKey:
        """The public half, which is all a verifier needs."""
        return self.private_key.public_key()

    def sign_bytes(self, payload: bytes) -> bytes:
        """RSASSA-PKCS1-v1_5 over SHA-256, as ``GOOG4-RSA-SHA256`` requires."""
        return self.private_key.sign(payload, padding.PKCS1v15(), hashes.SHA256())


# --------------------------------------------------------------------------------------------
# Canonicalisation (shared with the stand-in's verifier)


def format_timestamp(moment: datetime) -> str:
    """``YYYYMMDDTHHMMSSZ`` in UTC; naive datetimes are refused to keep clocks honest."""
    if moment.tzinfo is None:
        msg = f"timestamp: expected a timezone-aware datetime, received naive {moment!r}; use datetime.now(UTC)"
        raise ValueError(msg)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def credential_scope(datestamp: str) -> str:
    """``<YYYYMMDD>/auto/storage/goog4_request`` (location is always ``auto`` for GCS)."""
    return f"{datestamp}/auto/storage/goog4_request"


def encode_query_component(value: str) -> str:
    """Percent-encode everything except RFC 3986 unreserved characters (space → ``%20``)."""
    return quote(value, safe="~")


def canonical_path(path: str) -> str:
    """Percent-encode a decoded resource path, keeping ``/`` (object names keep their slashes)."""
    return quote(path, safe="/~")


def canonical_query(params: Iterable[tuple[str, str]]) -> str:
    """Encode each name and value, sort by encoded name (then value), join with ``&``."""
    encoded = sorted((encode_query_component(k), encode_query_component(v)) for k, v in params)
    return "&".join(f"{k}={v}" for k, v in encoded)


def _normalize_header_value(value: str) -> str:
    return _WHITESPACE_RUN.sub(" ", value.strip())


def canonical_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[str, str]:
    """Return ``(canonical header block, signed-headers list)``.

    Names are lower-cased and sorted; values trimmed with inner whitespace runs collapsed to one
    space; repeated names are joined with ``,``. The block ends with a newline, so the canonical
    request shows the blank line GCS expects between headers and the signed-headers list.
    """
    items = headers.items() if isinstance(headers, Mapping) else headers
    merged: dict[str, list[str]] = {}
    for name, value in items:
        merged.setdefault(name.strip().lower(), []).append(_normalize_header_value(value))
    names = sorted(merged)
    block = "".join(f"{n}:{','.join(merged[n])}\n" for n in names)
    return block, ";".join(names)


def canonical_request(
    *,
    method: str,
    path: str,
    query: str,
    headers_block: str,
    signed_headers: str,
    payload_hash: str = UNSIGNED_PAYLOAD,
) -> str:
    """Join the six parts of a V4 canonical request with newlines."""
    return "\n".join([method.upper(), path, query, headers_block, signed_headers, payload_hash])


def string_to_sign(*, timestamp: str, scope: str, canonical: str, algorithm: str = ALGORITHM) -> str:
    """``ALGORITHM\\nTIMESTAMP\\nSCOPE\\nhex(sha256(canonical request))``."""
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return "\n".join([algorithm, timestamp, scope, digest])


def _split_endpoint(endpoint: str) -> tuple[str, str, str]:
    """``(scheme, netloc, hostname-without-port)``; a bare ``host[:port]`` means https."""
    parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
    if not parts.hostname:
        msg = f"endpoint: expected a URL like https://storage.googleapis.com or http://127.0.0.1:4443, received {endpoint!r}"
        raise ValueError(msg)
    return parts.scheme, parts.netloc, parts.hostname


def _expires_seconds(expires_in: timedelta | int) -> int:
    seconds = int(expires_in.total_seconds()) if isinstance(expires_in, timedelta) else int(expires_in)
    if not 1 <= seconds <= MAX_EXPIRES_SECONDS:
        msg = f"expires_in: expected 1..{MAX_EXPIRES_SECONDS} seconds (GCS caps V4 signatures at 7 days), received {seconds}"
        raise ValueError(msg)
    return seconds


# --------------------------------------------------------------------------------------------
# Signing


@dataclass(frozen=True)
class SignedUrl:
    """A V4 signed URL plus what the caller must honour to use it.

    ``headers`` are the signed headers (without ``host``) the client must send verbatim;
    ``canonical_request`` and ``string_to_sign`` are kept for debugging signature mismatches.
    """

    url: str
    method: str
    expires_at: datetime
    headers: Mapping[str, str]
    canonical_request: str
    string_to_sign: str


@dataclass(frozen=True)
class PostPolicy:
    """A V4 POST policy: form ``url`` and the ``fields`` an HTML form must post with the file."""

    url: str
    fields: Mapping[str, str]
    expires_at: datetime


class V4Signer:
    """Sign Cloud Storage URLs and POST policies with a service-account key.

    Args:
        credentials: the service account whose e-mail and key sign the URL.
        endpoint: default endpoint (``scheme://host[:port]``) put in URLs; override per call.
        clock: returns the current aware UTC time; injectable so tests control ``X-Goog-Date``.
    """

    def __init__(
        self,
        credentials: ServiceAccountCredentials,
        *,
        endpoint: str = DEFAULT_ENDPOINT,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._credentials = credentials
        self._endpoint = endpoint
        self._clock = clock

    @property
    def client_email(self) -> str:
        return self._credentials.client_email

    def sign(
        self,
        *,
        method: str,
        bucket: str,
        object_name: str | None = None,
        expires_in: timedelta | int,
        headers: Mapping[str, str] | None = None,
        query_params: Mapping[str, str] | None = None,
        now: datetime | None = None,
        endpoint: str | None = None,
        url_style: UrlStyle = "path",
    ) -> SignedUrl:
        """Return a V4 signed URL for ``method`` on ``bucket``/``object_name``.

        Args:
            method: HTTP method the URL is good for (``POST`` for a resumable start).
            bucket: bucket name.
            object_name: object name, unencoded (slashes kept); ``None`` signs the bucket itself.
            expires_in: validity, 1 s to 7 days.
            headers: headers to sign; the client must send each with this exact value.
                ``x-goog-content-sha256`` turns on a signed payload instead of ``UNSIGNED-PAYLOAD``.
            query_params: extra query parameters covered by the signature.
            now: signing time (aware); defaults to the signer's clock.
            endpoint: ``scheme://host[:port]`` of the storage server; for ``bucket-bound`` the
                bucket's own host name (for example a CDN domain).
            url_style: ``path`` (``/bucket/object``), ``virtual-hosted`` (``bucket.host/object``)
                or ``bucket-bound`` (``endpoint/object``).
        """
        seconds = _expires_seconds(expires_in)
        moment = now if now is not None else self._clock()
        timestamp = format_timestamp(moment)
        scope = credential_scope(timestamp[:8])

        scheme, netloc, hostname = _split_endpoint(endpoint or self._endpoint)
        object_part = f"/{object_name}" if object_name is not None else ""
        if url_style == "path":
            resource = f"/{bucket}{object_part}"
        elif url_style == "virtual-hosted":
            netloc, hostname = f"{bucket}.{netloc}", f"{bucket}.{hostname}"
            resource = object_part or "/"
        elif url_style == "bucket-bound":
            resource = object_part or "/"
        else:
            msg = f"url_style: expected 'path', 'virtual-hosted' or 'bucket-bound', received {url_style!r}"
            raise ValueError(msg)
        path = canonical_path(resource)

        signed = dict(headers or {})
        if not any(name.lower() == "host" for name in signed):
            signed["host"] = hostname
        headers_block, signed_names = canonical_headers(signed)
        payload_hash = next(
            (v.strip() for k, v in signed.items() if k.lower() == CONTENT_SHA256_HEADER), UNSIGNED_PAYLOAD
        )

        params = [
            ("X-Goog-Algorithm", ALGORITHM),
            ("X-Goog-Credential", f"{self._credentials.client_email}/{scope}"),
            ("X-Goog-Date", timestamp),
            ("X-Goog-Expires", str(seconds)),
            ("X-Goog-SignedHeaders", signed_names),
            *(query_params or {}).items(),
        ]
        query = canonical_query(params)
        canonical = canonical_request(
            method=method,
            path=path,
            query=query,
            headers_block=headers_block,
            signed_headers=signed_names,
            payload_hash=payload_hash,
        )
        to_sign = string_to_sign(timestamp=timestamp, scope=scope, canonical=canonical)
        signature = binascii.hexlify(self._credentials.sign_bytes(to_sign.encode("utf-8"))).decode()
        return SignedUrl(
            url=f"{scheme}://{netloc}{path}?{query}&X-Goog-Signature={signature}",
            method=method.upper(),
            expires_at=moment.astimezone(UTC) + timedelta(seconds=seconds),
            headers={k: v for k, v in signed.items() if k.lower() != "host"},
            canonical_request=canonical,
            string_to_sign=to_sign,
        )

    def sign_post_policy(
        self,
        *,
        bucket: str,
        object_name: str,
        expires_in: timedelta | int,
        conditions: Sequence[Any] = (),
        fields: Mapping[str, str] | None = None,
        now: datetime | None = None,
        endpoint: str | None = None,
        url_style: UrlStyle = "path",
    ) -> PostPolicy:
        """Return a V4 POST policy (HTML form upload) for ``bucket``/``object_name``.

        Args:
            conditions: extra policy conditions, e.g. ``["content-length-range", 0, 1024]``.
            fields: extra form fields; each becomes an exact-match condition too.
            Other arguments as in :meth:`sign`.
        """
        seconds = _expires_seconds(expires_in)
        moment = now if now is not None else self._clock()
        timestamp = format_timestamp(moment)
        credential = f"{self._credentials.client_email}/{credential_scope(timestamp[:8])}"
        expires_at = moment.astimezone(UTC) + timedelta(seconds=seconds)
        extra = dict(fields or {})
        policy_conditions: list[Any] = [*conditions]
        policy_conditions += [{k: v} for k, v in sorted(extra.items())]
        policy_conditions += [
            {"bucket": bucket},
            {"key": object_name},
            {"x-goog-date": timestamp},
            {"x-goog-credential": credential},
            {"x-goog-algorithm": ALGORITHM},
        ]
        document = {"conditions": policy_conditions, "expiration": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
        # ensure_ascii: GCS's examples and the vectors carry non-ASCII as \uXXXX escapes.
        policy = base64.b64encode(json.dumps(document, separators=(",", ":")).encode("ascii")).decode()
        signature = binascii.hexlify(self._credentials.sign_bytes(policy.encode("ascii"))).decode()

        scheme, netloc, _ = _split_endpoint(endpoint or self._endpoint)
        if url_style == "path":
            url = f"{scheme}://{netloc}/{quote(bucket, safe='')}/"
        elif url_style == "virtual-hosted":
            url = f"{scheme}://{bucket}.{netloc}/"
        else:
            url = f"{scheme}://{netloc}/"
        return PostPolicy(
            url=url,
            fields={
                "key": object_name,
                **extra,
                "x-goog-algorithm": ALGORITHM,
                "x-goog-credential": credential,
                "x-goog-date": timestamp,
                "x-goog-signature": signature,
                "policy": policy,
            },
            expires_at=expires_at,
        )
