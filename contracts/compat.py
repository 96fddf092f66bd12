"""Breaking-change check of `contracts/proto/` against the recorded baseline image.

    python -m contracts.compat                     exit 1 with buf's findings if the protos break
                                                   the wire or JSON form of the baseline
    python -m contracts.compat --approve "REASON"  record the current protos as the new baseline and
                                                   log REASON in contracts/baseline/APPROVALS.md

The baseline is `contracts/baseline/image.binpb`, a self-contained
FileDescriptorSet built by protoc (`--include_imports`), so buf needs neither a
buf module, nor the BSR, nor the network. Rules: buf's WIRE_JSON category
(deleted, renumbered or retyped fields and enum values, changed oneofs, json
names, cardinality, streaming, request/response types) plus RPC_NO_DELETE and
PACKAGE_SERVICE_NO_DELETE, because a deployed client calling a removed RPC or
service breaks as surely as one reading a removed field, and WIRE_JSON alone
does not cover that. Imports we do not own (`buf/validate`, `google/protobuf`)
are in the image for resolution only and are not checked.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from contracts.protoc import ProtocError, build_image, default_contracts_dir, write_validate_descriptor_set

BASELINE_IMAGE = "baseline/image.binpb"
APPROVALS_LOG = "baseline/APPROVALS.md"
BREAKING_RULES = ["WIRE_JSON", "RPC_NO_DELETE", "PACKAGE_SERVICE_NO_DELETE"]
NOT_OURS = ["buf", "google"]
APPROVALS_HEADER = (
    "# Approved proto baselines\n\n"
    "Each entry records why `contracts/baseline/image.binpb` was re-recorded with\n"
    "`python -m contracts.compat --approve \"<reason>\"`, and the breaking findings it accepted.\n"
)


class BufNotFound(RuntimeError):
    """The buf CLI is not installed next to this interpreter nor on PATH."""


def find_buf() -> str:
    """Returns the buf executable from this interpreter's environment (the buf-bin wheel) or PATH."""
    beside_python = Path(sys.executable).parent / "buf"
    if beside_python.is_file():
        return str(beside_python)
    on_path = shutil.which("buf")
    if on_path:
        return on_path
    msg = (
        "expected the buf CLI (pip package buf-bin==1.75.0) next to the interpreter or on PATH, found none; "
        "run `pip install -e '.[test]'`"
    )
    raise BufNotFound(msg)


def breaking_findings(current: Path, baseline: Path) -> list[str]:
    """Runs `buf breaking` on two images; returns one line per finding (empty when compatible)."""
    config = json.dumps({"version": "v2", "breaking": {"use": BREAKING_RULES}})
    command = [find_buf(), "breaking", str(current), "--against", str(baseline), "--config", config]
    for prefix in NOT_OURS:
        command += ["--exclude-path", prefix]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    # buf exits 100 for "findings", anything else non-zero is buf itself failing.
    if result.returncode not in (0, 100):
        msg = f"buf breaking failed (exit {result.returncode}):\n{(result.stderr or result.stdout).strip()}"
        raise RuntimeError(msg)
    return [line for line in result.stdout.splitlines() if line.strip()]


def _current_image(contracts_dir: Path, scratch: Path, *, source_info: bool) -> Path:
    validate_set = scratch / "validate.binpb"
    write_validate_descriptor_set(validate_set)
    image = scratch / ("current-with-lines.binpb" if source_info else "current.binpb")
    build_image(contracts_dir / "proto", validate_set, image, source_info=source_info)
    return image


def check(contracts_dir: Path) -> int:
    baseline = contracts_dir / BASELINE_IMAGE
    if not baseline.is_file():
        print(
            f"compat: expected a baseline image at {baseline}, found none.\n"
            f'fix: record one with `python -m contracts.compat --approve "initial baseline"` and commit contracts/baseline/.',
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="lingo-compat-") as scratch:
        # Line numbers come from the current protos, so findings point at the edited lines.
        current = _current_image(contracts_dir, Path(scratch), source_info=True)
        findings = breaking_findings(current, baseline)
    if not findings:
        print(f"compat: no breaking change against {baseline} (rules: {', '.join(BREAKING_RULES)})")
        return 0
    lines = "\n".join(f"  {line}" for line in findings)
    print(
        f"compat: breaking change(s) against the baseline.\n"
        f"expected contracts/proto to stay wire- and JSON-compatible with {baseline} "
        f"(rules: {', '.join(BREAKING_RULES)}); buf found {len(findings)}:\n{lines}\n"
        "fix: restore the old field number/name/type (reserve numbers and names you remove), or, if the break "
        "is deliberate and every consumer is ready, run\n"
        '  python -m contracts.compat --approve "<why>"\n'
        "and commit contracts/baseline/.",
        file=sys.stderr,
    )
    return 1


def approve(contracts_dir: Path, reason: str, today: dt.date) -> int:
    reason = " ".join(reason.split())
    if not reason:
        print('compat --approve: expected a non-empty reason, e.g. --approve "drop v0.1.0 event payloads"', file=sys.stderr)
        return 2
    baseline = contracts_dir / BASELINE_IMAGE
    with tempfile.TemporaryDirectory(prefix="lingo-compat-") as scratch:
        current = _current_image(contracts_dir, Path(scratch), source_info=False)
        if baseline.is_file() and baseline.read_bytes() == current.read_bytes():
            print(f"compat --approve: {baseline} already matches contracts/proto; nothing recorded")
            return 0
        first = not baseline.is_file()
        accepted = [] if first else breaking_findings(current, baseline)
        baseline.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(current, baseline)

    log = contracts_dir / APPROVALS_LOG
    entry = f"\n## {today.isoformat()}: {reason}\n\n"
    if first:
        entry += "- first baseline\n"
    elif accepted:
        entry += "".join(f"- accepted: `{line}`\n" for line in accepted)
    else:
        entry += "- no breaking findings against the previous baseline (additive change)\n"
    with log.open("a", encoding="utf-8") as handle:
        if log.stat().st_size == 0:
            handle.write(APPROVALS_HEADER)
        handle.write(entry)
    print(f"compat --approve: recorded {baseline} ({len(accepted)} breaking finding(s) accepted) and logged the reason in {log}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.compat", description=__doc__.split("\n\n")[0])
    parser.add_argument("--approve", metavar="REASON", help="record the current protos as the new baseline, logging REASON")
    parser.add_argument(
        "--contracts-dir",
        type=Path,
        default=default_contracts_dir(),
        help="the contracts/ tree to work on (default: this package)",
    )
    args = parser.parse_args(argv)
    contracts_dir: Path = args.contracts_dir.resolve()
    try:
        if args.approve is not None:
            return approve(contracts_dir, args.approve, dt.datetime.now(dt.UTC).date())
        return check(contracts_dir)
    except (ProtocError, BufNotFound) as error:
        print(f"compat: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
