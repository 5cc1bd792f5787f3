"""Shared fixtures. Optional groups (PostgreSQL, kernel, browser) skip with a
message saying how to enable them; CI sets the variables that make them mandatory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def require(flag: str, reason: str) -> None:
    """Skip with ``reason``, unless ``flag`` is set in the environment: then fail."""
    if os.environ.get(flag):
        pytest.fail(f"{reason} ({flag} is set, so this is mandatory)")
    pytest.skip(reason)
