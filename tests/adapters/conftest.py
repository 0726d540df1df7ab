"""Fixtures the platform renderers' tests share: the ticket wording and two real replies."""

from __future__ import annotations

import pytest

from bot.conversation import Conversation, Message, Reply
from bot.ticket.content import TicketContent, load_ticket_content
from tests.adapters.samples import DRAFT, QUESTION


@pytest.fixture(scope="module")
def content() -> TicketContent:
    return load_ticket_content()


@pytest.fixture(scope="module")
def answer(conversation: Conversation) -> Reply:
    return conversation.handle(Message(QUESTION))


@pytest.fixture(scope="module")
def review(conversation: Conversation) -> Reply:
    return conversation.handle(Message(DRAFT))
