"""Wording for the platforms' renderers, with the shipped content as a fallback: an
organisation's `messages.yaml` or `review.yaml` copied from an older version may lack a sentence a
newer renderer needs, and a missing sentence must not break a reply."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.policy.loader import default_content_dir, read_yaml

if TYPE_CHECKING:
    from bot.policy.models import PolicyMeta
    from bot.review.lexicon import Lexicon
    from bot.ticket.content import TicketContent


@lru_cache(maxsize=4)
def shipped(name: str) -> dict:
    """A shipped content file, read once."""
    return read_yaml(default_content_dir(), name)


def say(messages: Mapping[str, str] | None, key: str, meta: PolicyMeta | None = None, **values: object) -> str:
    """A sentence of messages.yaml (the policy's, else the shipped one), filled like `Policy.message`."""
    template = (messages or {}).get(key) or shipped("messages.yaml")[key]
    facts = {"title": meta.title, "number": meta.number, "version": meta.version,
             "organisation": meta.organisation, "next_review": meta.next_review_text} if meta else {}
    return template.format(**{**facts, **values}).strip()


def tickets_say(content: TicketContent, key: str, **values: object) -> str:
    """A sentence of tickets.yaml, the shipped one's where the organisation's copy lacks it."""
    if key in content.messages:
        return content.say(key, **values)
    return shipped("tickets.yaml")["messages"][key].format(**values).strip()


def review_words(lexicon: Lexicon | None) -> tuple[dict[str, str], dict[str, str]]:
    """(category → title, sentences) of review.yaml: the reviewer's, else the shipped one."""
    review = shipped("review.yaml")
    titles = {name: rule.get("title", "") for name, rule in review["categories"].items()}
    sentences = dict(review.get("messages", {}))
    if lexicon is not None:
        titles.update({name: rule.title for name, rule in lexicon.categories.items()})
        sentences.update(lexicon.messages)
    return titles, sentences
