"""One site build shared by the docs tests: the real contracts and features, plus the fixture results bundles."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.docs.site import build
from contracts.protoc import default_contracts_dir

FIXTURE_RESULTS = Path(__file__).parent / "fixtures" / "results"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("docs") / "site", [FIXTURE_RESULTS], default_contracts_dir())
