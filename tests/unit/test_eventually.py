"""The one waiting helper: poll until accepted, fail with the last observation."""

import itertools

import pytest

from steps.eventually import NotYet, eventually


def test_returns_the_first_accepted_answer() -> None:
    counter = itertools.count()
    assert eventually(lambda: next(counter), until=lambda n: n >= 3, interval=0) == 3


def test_an_assertion_in_the_probe_means_not_yet() -> None:
    answers = iter([AssertionError("empty"), AssertionError("still empty"), "message"])

    def probe() -> str:
        answer = next(answers)
        if isinstance(answer, AssertionError):
            raise answer
        return answer

    assert eventually(probe, interval=0) == "message"


def test_fails_with_the_last_answer_and_the_subject() -> None:
    with pytest.raises(NotYet, match=r"the backlog drains did not happen within 0.05 s \(\d+ attempts\); last answer: 7"):
        eventually(lambda: 7, until=lambda n: n == 0, timeout=0.05, interval=0.01, what="the backlog drains")


def test_fails_with_the_last_assertion() -> None:
    def probe() -> None:
        raise AssertionError("no message on catalog.video.events")

    with pytest.raises(NotYet, match="last assertion: no message on catalog.video.events"):
        eventually(probe, timeout=0.02, interval=0.01)


def test_other_errors_propagate_at_once() -> None:
    calls = []

    def probe() -> None:
        calls.append(1)
        raise ConnectionError("refused")

    with pytest.raises(ConnectionError):
        eventually(probe, timeout=5)
    assert calls == [1]
