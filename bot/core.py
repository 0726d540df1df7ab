"""Wiring: settings → policy → domain services. Built once per process by the CLI or the server.

Services are built when first used, so `snp-bot ask` never loads the reviewer's word lists and
phone-number metadata, and `snp-bot check` never builds the answerer's index.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from bot.clock import Clock, SystemClock
from bot.config import Settings, get_settings
from bot.policy import Policy, load_policy

if TYPE_CHECKING:
    from bot.answer import Answerer
    from bot.confidential import Sealer
    from bot.conversation import Conversation
    from bot.conversation.pool import Turns
    from bot.db import Database
    from bot.review.models import Review
    from bot.review.service import Reviewer
    from bot.semantic.encoder import Encoder
    from bot.ticket.content import TicketContent
    from bot.ticket.service import TicketService


class Core:
    def __init__(self, settings: Settings, policy: Policy, clock: Clock | None = None) -> None:
        self.settings = settings
        self.policy = policy
        self.clock = clock or SystemClock()

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Core:
        settings = settings or get_settings()
        return cls(settings, load_policy(settings.snp_policy_dir))

    @cached_property
    def answerer(self) -> Answerer:
        from bot.answer import Answerer

        return Answerer(self.policy, self.settings.snp_policy_url or None, folder=self.settings.snp_policy_dir,
                        encoder=self.encoder)

    @cached_property
    def reviewer(self) -> Reviewer:
        from bot.review.lexicon import load_lexicon
        from bot.review.service import Reviewer

        return Reviewer(self.policy, load_lexicon(self.settings.snp_policy_dir), folder=self.settings.snp_policy_dir,
                        encoder=self.encoder)

    @cached_property
    def encoder(self) -> Encoder:
        from bot.semantic.encoder import load_encoder

        return load_encoder(self.settings.snp_encoder)

    @cached_property
    def conversation(self) -> Conversation:
        from bot.conversation import Conversation

        return Conversation(self.answerer, self.reviewer)

    @cached_property
    def turns(self) -> Turns:
        """Conversation turns for the platforms: in worker processes once the server starts them."""
        from bot.conversation.pool import Turns

        return Turns(lambda: self.conversation)

    @cached_property
    def db(self) -> Database:
        from bot.db import Database

        return Database(self.settings.database_url)

    @cached_property
    def sealer(self) -> Sealer:
        """The key beside an embedded SQLite database, or SNP_ENCRYPTION_KEY (required for a server database)."""
        from bot.confidential import load_sealer
        from bot.db import sqlite_path

        path = sqlite_path(self.settings.database_url)
        return load_sealer(self.settings.snp_encryption_key, path.parent if path else None)

    @cached_property
    def ticket_content(self) -> TicketContent:
        from bot.ticket.content import load_ticket_content

        return load_ticket_content(self.settings.snp_policy_dir)

    @cached_property
    def tickets(self) -> TicketService:
        from bot.ticket.service import TicketService

        return TicketService(self.db, self.sealer, self.policy, self.ticket_content, self.clock,
                             self.settings.people_services)

    def describe_review(self, review: Review) -> str:
        from bot.review.messages import describe

        return describe(review, self.policy, self.reviewer.lexicon)
