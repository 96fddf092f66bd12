"""The embedded reference's redelivery backoff: fractions of a second reach the subscriptions as given."""

from dataclasses import replace

import pytest
from google.cloud import pubsub_v1

from contracts.topology import RetryPolicy, load_topology
from fixtures.reference import EMBEDDED_RETRY_SECONDS
from reference_impl.adapters.topology import _subscription_request
from reference_impl.config import ConfigError, Settings


def test_the_embedded_backoff_is_read_with_its_fractions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINGO_PUBSUB_RETRY_SECONDS", EMBEDDED_RETRY_SECONDS)
    low, high = Settings.from_env("postgresql://x").pubsub_retry_seconds
    assert 0 < low < 1 and low <= high < 1, "poison messages must dead-letter within a scenario's patience"


@pytest.mark.parametrize("value", ["2,1", "a,b", "1", "-1,2", "1,601", "nan,1"])
def test_a_backoff_pub_sub_would_refuse_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("LINGO_PUBSUB_RETRY_SECONDS", value)
    with pytest.raises(ConfigError, match="LINGO_PUBSUB_RETRY_SECONDS"):
        Settings.from_env("postgresql://x")


def test_a_fractional_backoff_reaches_the_subscription_request() -> None:
    subscription = next(s for s in load_topology().subscriptions.values() if s.retry_policy is not None)
    subscription = replace(subscription, retry_policy=RetryPolicy(0.2, 0.5))  # type: ignore[arg-type]
    request = _subscription_request("p", subscription, pubsub_v1.PublisherClient)  # type: ignore[arg-type]
    minimum, maximum = request["retry_policy"]["minimum_backoff"], request["retry_policy"]["maximum_backoff"]
    assert (minimum.seconds, minimum.nanos) == (0, 200_000_000)
    assert (maximum.seconds, maximum.nanos) == (0, 500_000_000)
