"""Wiring: settings → policy → domain services. Built once per process by the CLI or the server.

Services are built when first used, so `snp-bot ask` never loads the reviewer's word lists and
phone-number metadata, and `snp-bot check` never builds the answerer's index.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from bot.config import Settings, get_settings
from bot.policy import Policy, load_policy

if TYPE_CHECKING:
    from bot.answer import Answerer
    from bot.conversation import Conversation
    from bot.review.models import Review
    from bot.review.service import Reviewer


class Core:
    def __init__(self, settings: Settings, policy: Policy) -> None:
        self.settings = settings
        self.policy = policy

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Core:
        settings = settings or get_settings()
        return cls(settings, load_policy(settings.snp_policy_dir))

    @cached_property
    def answerer(self) -> Answerer:
        from bot.answer import Answerer

        return Answerer(self.policy, self.settings.snp_policy_url or None)

    @cached_property
    def reviewer(self) -> Reviewer:
        from bot.review.lexicon import load_lexicon
        from bot.review.service import Reviewer

        return Reviewer(self.policy, load_lexicon(self.settings.snp_policy_dir))

    @cached_property
    def conversation(self) -> Conversation:
        from bot.conversation import Conversation

        return Conversation(self.answerer, self.reviewer)

    def describe_review(self, review: Review) -> str:
        from bot.review.messages import describe

        return describe(review, self.policy, self.reviewer.lexicon)
