"""Routing a person's message to the right domain, for every platform alike."""

from bot.conversation.models import Message, Reply
from bot.conversation.service import Conversation

__all__ = ["Conversation", "Message", "Reply"]
