"""Wiring: settings → policy → domain services. Built once per process by the CLI or the server."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer import Answerer
from bot.config import Settings, get_settings
from bot.conversation import Conversation
from bot.policy import Policy, load_policy
from bot.review import Reviewer
from bot.review.lexicon import load_lexicon


@dataclass(frozen=True)
class Core:
    settings: Settings
    policy: Policy
    answerer: Answerer
    reviewer: Reviewer
    conversation: Conversation

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Core:
        settings = settings or get_settings()
        policy = load_policy(settings.snp_policy_dir)
        answerer = Answerer(policy, settings.snp_policy_url or None)
        reviewer = Reviewer(policy, load_lexicon(settings.snp_policy_dir))
        return cls(settings, policy, answerer, reviewer, Conversation(answerer, reviewer))

    def describe_review(self, review) -> str:
        return self.conversation.describe_review(review)
