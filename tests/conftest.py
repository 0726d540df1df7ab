"""Shared fixtures: the shipped policy, and the answerer, reviewer and conversation over it, built
once per test session."""

from __future__ import annotations

import pytest

from bot.answer import Answerer
from bot.conversation import Conversation
from bot.policy import Policy, load_policy
from bot.review.service import Reviewer
from bot.review.lexicon import load_lexicon


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def answerer(policy: Policy) -> Answerer:
    return Answerer(policy)


@pytest.fixture(scope="session")
def reviewer(policy: Policy) -> Reviewer:
    return Reviewer(policy, load_lexicon())


@pytest.fixture(scope="session")
def conversation(answerer: Answerer, reviewer: Reviewer) -> Conversation:
    return Conversation(answerer, reviewer)
