"""The thresholds file of a load run: read, judged against measurements, printed as a table."""

from __future__ import annotations

from pathlib import Path

import pytest

from load._thresholds import TOTAL, Measured, ThresholdsError, judge, load, table

DEFAULT_FILE = Path(__file__).parents[2] / "load" / "thresholds.toml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "thresholds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_is_valid() -> None:
    limits = load(DEFAULT_FILE)
    assert limits[TOTAL]["contract_violations"] == 0
    assert "lag commit->published" in limits


def test_a_slow_entry_breaches_its_percentile_and_a_fast_one_holds(tmp_path: Path) -> None:
    limits = load(_write(tmp_path, '[entries."grpc GetProfile"]\np99_ms = 100\n[entries."rest GetProfile"]\np99_ms = 100\n'))
    measured = {
        "grpc GetProfile": Measured(100, 0, {"p50_ms": 5, "p95_ms": 50, "p99_ms": 150}),
        "rest GetProfile": Measured(100, 0, {"p50_ms": 5, "p95_ms": 50, "p99_ms": 90}),
    }
    verdicts = {v.entry: v for v in judge(limits, measured)}
    assert verdicts["grpc GetProfile"].breached
    assert not verdicts["rest GetProfile"].breached


def test_error_rate_and_contract_violations_of_the_total(tmp_path: Path) -> None:
    limits = load(_write(tmp_path, "[total]\nerror_rate = 0.01\ncontract_violations = 0\n"))
    measured = {TOTAL: Measured(200, 1, {"p50_ms": 1, "p95_ms": 1, "p99_ms": 1}, contract_violations=1)}
    verdicts = {v.limit: v for v in judge(limits, measured)}
    assert not verdicts["error_rate"].breached  # 0.5 % of 1 %
    assert verdicts["contract_violations"].breached
    assert "BREACHED" in table(list(verdicts.values()))


def test_an_entry_without_samples_is_shown_and_breaches_nothing(tmp_path: Path) -> None:
    limits = load(_write(tmp_path, '[entries."lag commit->published"]\np99_ms = 1\n'))
    (verdict,) = judge(limits, {})
    assert verdict.measured is None
    assert not verdict.breached
    assert "no samples" in table([verdict])


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[totals]\nerror_rate = 1\n", "unknown sections ['totals']"),
        ('[entries."grpc X"]\np90_ms = 1\n', "unknown limits ['p90_ms']"),
        ("[total]\nerror_rate = 'low'\n", "must be a number"),
        ("[total\n", "cannot read the thresholds"),
    ],
)
def test_a_bad_file_names_what_to_fix(tmp_path: Path, text: str, complaint: str) -> None:
    with pytest.raises(ThresholdsError, match=complaint.replace("[", r"\[").replace("]", r"\]")):
        load(_write(tmp_path, text))
