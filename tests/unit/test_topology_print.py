"""`python -m contracts.topology --print`: the Pub/Sub set-up a deployment needs, from the contract."""

import pytest

from contracts.topology import load_topology, main


def test_it_prints_every_topic_and_every_service_subscription(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--print", "--project", "lingo-staging"]) == 0
    out = capsys.readouterr().out
    topology = load_topology()
    for topic in topology.topics:
        assert f"gcloud pubsub topics create {topic} --project=lingo-staging\n" in out
    for sub in topology.subscriptions.values():
        created = f"gcloud pubsub subscriptions create {sub.name} " in out
        assert created == (sub.consumer != "conformance suite"), sub.name
    assert "--dead-letter-topic=catalog.video-uploads.dlq --max-delivery-attempts=5" in out
