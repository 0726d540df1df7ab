"""The platform-neutral shape of a conversation turn.

Adapters (console, Slack, Teams) turn whatever their platform sends into a `Message`, hand it to
`Conversation.handle`, and render the `Reply` in their own format. The core never sees a
platform payload and never produces one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.answer.models import Citation
from bot.review.models import Finding
from bot.text import encodable

ReplyKind = Literal["answer", "declined", "guide", "notice", "review", "form"]


@dataclass(frozen=True)
class Message:
    """What a person sent: their words, and who they are on which platform."""

    text: str
    sender: str = ""
    platform: str = "console"
    #: Kinds of what came with the message ("image/png", "file"): the bot cannot see them, but an
    #: image means a photo-consent and logo reminder.
    attachments: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Text that cannot be encoded (half an emoji) is mended here, once, for every platform:
        otherwise the answer could not be posted and the person would hear nothing."""
        object.__setattr__(self, "text", encodable(self.text))


@dataclass(frozen=True)
class Reply:
    """What the bot says back: plain text every platform can show, plus the structure (citations)
    that richer platforms render as blocks or cards."""

    text: str
    kind: ReplyKind
    citations: tuple[Citation, ...] = field(default=())
    findings: tuple[Finding, ...] = field(default=())
    verdict: str = ""
    rewrite: str | None = None
    #: The other reading the bot offers when it chose by the message's shape: "ask" (treat the
    #: text as a question) or "check" (review it as a draft). Platforms show it as a button.
    offer: str = ""
    #: For kind "form": which form the platform should open ("report": the breach report of
    #: `policy_content/tickets.yaml`); the platform collects the fields and submits them to the core.
    form: str = ""
