"""The console channel: reaches only the chat user, shows a key once, buttons as one command line."""

from __future__ import annotations

from adapters.console.channel import ConsoleChannel
from bot.notify.channel import Button, Delivery, Recipient


def _delivery(key: str = "e1:new_ticket:abc", email: str = "Mo@Trust.nhs.uk", buttons: bool = True) -> Delivery:
    actions = [("acknowledge", "Acknowledge"), ("ask_people_services", "Ask People Services"), ("close", "Close")]
    return Delivery(key, Recipient(email), "new_ticket", "SNP-2026-0007", "New report SNP-2026-0007.",
                    tuple(Button(a, label, "secret-id") for a, label in actions) if buttons else ())


def test_it_reaches_only_the_chat_user():
    channel = ConsoleChannel("mo@trust.nhs.uk", print)
    assert channel.reaches(Recipient("MO@trust.nhs.uk "))
    assert not channel.reaches(Recipient("sam@trust.nhs.uk"))
    assert not ConsoleChannel(None, print).reaches(Recipient(""))


async def test_buttons_become_one_line_of_commands_with_the_reference():
    shown: list[str] = []
    await ConsoleChannel("mo@trust.nhs.uk", shown.append).send(_delivery())
    assert shown == ["New report SNP-2026-0007.\n→ /snp-ticket SNP-2026-0007 acknowledge | ask_people_services | close"]
    assert "secret-id" not in shown[0]


async def test_a_key_is_shown_once_and_a_plain_message_has_no_command_line():
    shown: list[str] = []
    channel = ConsoleChannel("mo@trust.nhs.uk", shown.append)
    await channel.send(_delivery(buttons=False))
    await channel.send(_delivery(buttons=False))
    await channel.send(_delivery(key="e2:state_changed:abc", buttons=False))
    assert shown == ["New report SNP-2026-0007.", "New report SNP-2026-0007."]
    assert len(channel.shown) == 2
