"""The fuzz campaign against the embedded reference's gRPC surface (seeded, bounded, part of every run).

Every method of every contract service gets requests generated from its descriptor and its
``buf.validate`` rules (valid ones, bounds, NUL, huge and Unicode text, deep JSON, undefined enum
values); the identity header and the page tokens get their own campaigns. Every answer must be
OK or a deliberate refusal with an ErrorInfo reason and no leaked internals (``wire.problems``);
afterwards every event the campaign caused must have been published — no input may poison the
outbox. The number of cases per method is printed at the end. ``LINGO_FUZZ_EXAMPLES`` raises the
number of cases per method (default 25) for a longer, local campaign.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC

import grpc
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from google.protobuf.message import Message
from hypothesis import strategies as st

from contracts.gen.video.v1 import lifecycle_pb2
from fixtures.targets import TargetConfig
from reference_impl.config import ALLOWED_CONTENT_TYPES
from reference_impl.domain.video_status import STAGE_STATUSES
from steps.driver import encode_claims
from steps.eventually import eventually
from tests.fuzz import wire
from tests.fuzz.proto_strategies import Hints, deep_json, messages

EXAMPLES = int(os.environ.get("LINGO_FUZZ_EXAMPLES", "25"))
CAMPAIGN = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # seeded: the same cases every run, so a failure reproduces
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
USERINFO = "x-apigateway-api-userinfo"
#: A failing case may hold megabytes of text; Hypothesis warns about printing it, and warnings are errors here.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
OUTBOX_SCHEMAS = ("catalog", "profile")


class Campaign:
    """The callers, videos and channels one campaign shares."""

    def __init__(self, target: TargetConfig) -> None:
        self.target = target
        self.callers = [str(uuid.uuid4()) for _ in range(3)]
        self.channels = {
            key: grpc.insecure_channel(getattr(target, key), options=[("grpc.max_send_message_length", 64 * 1024 * 1024)])
            for key in {"catalog_grpc", "profile_grpc"}
        }
        self.videos: list[str] = []

    def metadata(self, caller: str, method: str = "") -> list[tuple[str, str]]:
        """A user's metadata; an internal service's for the lifecycle RPCs (only services may call them)."""
        if ".CatalogLifecycleService." in method:
            return list(self.target.service_metadata())
        return [(USERINFO, encode_claims({"sub": caller}))]

    def hints(self) -> Hints:
        ids = st.sampled_from(self.videos + self.callers)
        statuses = st.sampled_from([*STAGE_STATUSES, "pending_upload", "published", "archived", "READY", ""])
        return Hints({
            "video_id": ids,
            "upload_user_id": st.sampled_from(self.callers),
            "user_id": st.sampled_from(["", *self.callers]),
            "emitted_at": st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
            "new_status": statuses,
            "media_status": statuses,
            "analysis_status": statuses,
            "expected_status": statuses,
            "content_type": st.sampled_from(sorted(ALLOWED_CONTENT_TYPES)),
        })

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()


@pytest.fixture(scope="module")
def campaign(target: TargetConfig) -> Iterator[Campaign]:
    """A campaign against the target, with a few registered videos to aim at."""
    if not (target.catalog_grpc and target.profile_grpc and target.database_url):
        pytest.skip("the fuzz campaign needs the target's gRPC endpoints and database")
    fuzz = Campaign(target)
    register = wire.METHODS["video.v1.CatalogLifecycleService.RegisterUpload"][0]
    for caller in fuzz.callers:
        answer = wire.call(
            fuzz.channels["catalog_grpc"], register,
            lifecycle_pb2.RegisterUploadRequest(upload_user_id=caller, title="fuzz", raw_file_reference=f"fuzz/{caller}"),
            fuzz.metadata(caller, register.full_name),
        )
        assert answer.code == grpc.StatusCode.OK, f"setup: RegisterUpload answered {answer}"
    with psycopg.connect(target.database_url) as conn:
        fuzz.videos = [str(r[0]) for r in conn.execute(
            "SELECT video_id FROM catalog.videos WHERE upload_user_id = ANY(%s::uuid[])", (fuzz.callers,)
        ).fetchall()]
        fuzz.outbox_before = {  # type: ignore[attr-defined]
            schema: conn.execute(f"SELECT coalesce(max(seq), 0) FROM {schema}.outbox_events").fetchone()[0]  # noqa: S608
            for schema in OUTBOX_SCHEMAS
        }
    yield fuzz
    fuzz.close()


def _assert_keeps_invariants(name: str, request: Message, answer: wire.Answer, metadata: list[tuple[str, str]]) -> None:
    wire.CASES[name] += 1
    found = wire.problems(answer, request, metadata)
    assert not found, f"{name}: {'; '.join(found)}\nanswer: {answer}\nrequest: {str(request)[:2000]}\nmetadata: {str(metadata)[:500]}"


@pytest.mark.parametrize("name", sorted(wire.METHODS))
def test_every_method_answers_any_request_deliberately(campaign: Campaign, name: str) -> None:
    method, address = wire.METHODS[name]
    request_class = wire.request_class(method)
    probe = wire.call(campaign.channels[address], method, request_class(), campaign.metadata(campaign.callers[0], name))
    if probe.code == grpc.StatusCode.UNIMPLEMENTED and not probe.reason:
        pytest.skip(f"{name} is not served by the target (UNIMPLEMENTED)")
    strategy = messages(method.input_type, request_class, campaign.hints())

    @CAMPAIGN
    @given(request=strategy, caller=st.sampled_from(campaign.callers))
    def campaign_of_method(request: object, caller: str) -> None:
        metadata = campaign.metadata(caller, name)
        answer = wire.call(campaign.channels[address], method, request, metadata)  # type: ignore[arg-type]
        _assert_keeps_invariants(name, request, answer, metadata)  # type: ignore[arg-type]

    campaign_of_method()


def _claims_header() -> st.SearchStrategy[list[str]]:
    """User-info header values: canonical ones and every way we know to get one wrong."""
    good = st.uuids().map(str)
    subjects = st.one_of(
        good, good,
        st.uuids().flatmap(lambda u: st.sampled_from([str(u).upper(), "{" + str(u) + "}", u.hex, f"urn:uuid:{u}"])),
        st.just("00000000-0000-0000-0000-000000000000"), st.text(max_size=40), st.integers(), st.none(),
        st.lists(good, max_size=2), st.dictionaries(st.text(max_size=4), good, max_size=2),
    )
    claims = st.one_of(st.fixed_dictionaries({"sub": subjects}), st.dictionaries(st.text(max_size=6), subjects, max_size=3))
    raw = st.one_of(claims.map(json.dumps), st.integers(900, 5000).map(deep_json), st.just("x" * 6_000), st.just("x" * 20_000))
    encoded = raw.flatmap(lambda text: st.sampled_from([
        base64.urlsafe_b64encode(text.encode()).decode().rstrip("="),
        base64.urlsafe_b64encode(text.encode()).decode(),
        base64.standard_b64encode(text.encode()).decode(),
        text if text.isascii() and text.isprintable() else "not-base64",
    ]))
    garbage = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=60)
    return st.lists(st.one_of(encoded, encoded, garbage), min_size=0, max_size=3)


@pytest.mark.parametrize("name", ["profile.v1.ProfileService.GetProfile", "video.v1.CatalogQueryService.ListMyUploads"])
def test_any_identity_header_is_decoded_or_refused_deliberately(campaign: Campaign, name: str) -> None:
    method, address = wire.METHODS[name]
    request = wire.request_class(method)()

    @CAMPAIGN
    @given(values=_claims_header())
    def campaign_of_headers(values: list[str]) -> None:
        metadata = [(USERINFO, v) for v in values]
        answer = wire.call(campaign.channels[address], method, request, metadata)
        _assert_keeps_invariants(f"{name} (identity header)", request, answer, metadata)
        if len(values) > 1 and answer.code != grpc.StatusCode.RESOURCE_EXHAUSTED:  # (that one: gRPC's header limit)
            assert answer.code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.UNAUTHENTICATED), (
                f"a user-info header sent {len(values)} times must be refused, got {answer}"
            )

    campaign_of_headers()


def _page_tokens() -> st.SearchStrategy[str]:
    as_token = st.one_of(
        st.integers(2, 5000).map(deep_json),
        st.fixed_dictionaries({"created_at": st.text(max_size=30), "video_id": st.text(max_size=40)}).map(json.dumps),
        st.fixed_dictionaries({"k": st.text(max_size=5), "u": st.text(max_size=5), "p": st.just([1, 2])}).map(json.dumps),
        st.just(json.dumps({"created_at": "9999-12-31T23:59:59+00:00", "video_id": str(uuid.UUID(int=0))})),
        st.just(json.dumps({"created_at": "0001-01-01T00:00:00", "video_id": "x"})),
    ).map(lambda text: base64.urlsafe_b64encode(text.encode()).decode().rstrip("="))
    return st.one_of(as_token, as_token, st.text(max_size=60), st.just("=" * 10), st.just("A" * 1025))


@pytest.mark.parametrize(
    "name",
    [
        "profile.v1.ProfileService.ListFavorites",
        "profile.v1.ProfileService.ListWatchHistory",
        "video.v1.CatalogQueryService.ListMyUploads",
        "video.v1.CatalogQueryService.ListUserPublicVideos",
    ],
)
def test_any_page_token_is_read_or_refused_deliberately(campaign: Campaign, name: str) -> None:
    method, address = wire.METHODS[name]
    request_class = wire.request_class(method)
    probe = wire.call(campaign.channels[address], method, request_class(), campaign.metadata(campaign.callers[0]))
    if probe.code == grpc.StatusCode.UNIMPLEMENTED and not probe.reason:
        pytest.skip(f"{name} is not served by the target (UNIMPLEMENTED)")

    @CAMPAIGN
    @given(token=_page_tokens())
    def campaign_of_tokens(token: str) -> None:
        request = request_class(page_token=token)
        metadata = campaign.metadata(campaign.callers[0])
        answer = wire.call(campaign.channels[address], method, request, metadata)
        _assert_keeps_invariants(f"{name} (page token)", request, answer, metadata)

    campaign_of_tokens()


def test_after_the_campaign_every_event_it_caused_is_published(campaign: Campaign) -> None:
    """Runs last in this module: no input of the campaign left an event the broker refuses."""

    def unsettled() -> list[tuple]:
        with psycopg.connect(campaign.target.database_url) as conn:  # type: ignore[arg-type]
            return [
                (schema, *row)
                for schema in OUTBOX_SCHEMAS
                for row in conn.execute(
                    f"SELECT event_type, delivery_attempts, parked_at IS NOT NULL, left(last_error, 300)"  # noqa: S608
                    f" FROM {schema}.outbox_events WHERE seq > %s AND (published_at IS NULL OR last_error IS NOT NULL)",
                    (campaign.outbox_before[schema],),  # type: ignore[attr-defined]
                ).fetchall()
            ]

    left = eventually(unsettled, until=lambda rows: not rows or any(r[3] or r[4] for r in rows), timeout=30,
                      what="every event caused by the campaign published")
    assert not left, f"events the campaign caused that did not publish cleanly (schema, type, attempts, parked, error): {left[:10]}"
