"""Shared fixtures: the shipped policy and an answerer over it, built once per test session."""

from __future__ import annotations

import pytest

from bot.answer import Answerer
from bot.policy import Policy, load_policy


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def answerer(policy: Policy) -> Answerer:
    return Answerer(policy)
