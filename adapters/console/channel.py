"""Notifications in `snp-bot chat`: the chat user's own messages from the outbox, printed in the chat.

The console reaches one person, the one the chat is run as; everyone else's messages stay in the
outbox for the platform that reaches them (`snp-bot serve`).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.notify.channel import Delivery, Recipient


def _email(value: str | None) -> str:
    return (value or "").strip().lower()


class ConsoleChannel:
    """Shows a delivery in the chat: its text, then its buttons as one line of commands to type.
    A key already shown is not shown again (the worker may resend after a lost lease)."""

    name = "console"

    def __init__(self, email: str | None, write: Callable[[str], None]) -> None:
        self.email = _email(email)
        self.write = write
        self.shown: set[str] = set()

    def reaches(self, recipient: Recipient) -> bool:
        return bool(self.email) and _email(recipient.email) == self.email

    async def send(self, delivery: Delivery) -> dict | None:
        """Print it; returns no platform_ref, since printed lines cannot be rewritten (a withdrawal
        never comes here, and would be ignored)."""
        if delivery.key in self.shown or delivery.replaces is not None:
            return None
        self.shown.add(delivery.key)
        self.write(delivery.text + (f"\n{commands(delivery)}" if delivery.buttons else ""))
        return None


def commands(delivery: Delivery) -> str:
    """`→ /snp-ticket SNP-2026-0001 acknowledge | ask_people_services | …`: the buttons as the
    console's command (the reference rather than the unguessable id, which is for buttons)."""
    return f"→ /snp-ticket {delivery.reference} " + " | ".join(button.action for button in delivery.buttons)
