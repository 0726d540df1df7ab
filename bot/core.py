"""Wiring: settings → policy → domain services. Built once per process by the CLI or the server."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer import Answerer
from bot.config import Settings, get_settings
from bot.conversation import Conversation
from bot.policy import Policy, load_policy


@dataclass(frozen=True)
class Core:
    settings: Settings
    policy: Policy
    answerer: Answerer
    conversation: Conversation

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Core:
        settings = settings or get_settings()
        policy = load_policy(settings.snp_policy_dir)
        answerer = Answerer(policy, settings.snp_policy_url or None)
        return cls(settings, policy, answerer, Conversation(answerer))
