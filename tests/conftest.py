"""Shared pytest setup, kept generic: the checkout under test comes first on sys.path, and markers are registered."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

# Test this checkout even when a regular (non-editable) install of k2ecs sits in the environment,
# e.g. after the README's first quick-start command.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: builds or installs packages, or converts 50 MB (run in CI; deselect locally with -m 'not slow')")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
