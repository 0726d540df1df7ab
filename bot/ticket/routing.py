"""Who handles a report: the reporter's line manager (7.1), or People Services (7.2) when the
line manager is the person reported, is the reporter, or is not on file.

A handler of None means People Services as a whole: every member is notified and any may act.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.directory.models import Person


@dataclass(frozen=True)
class Routing:
    handler_email: str | None
    reason: str  # a key of tickets.yaml's `routing`


def route(reporter: Person, manager: Person | None, is_subject: "callable[[str], bool]") -> Routing:
    """`is_subject(email)` tells whether an email is the person reported (compared by digest)."""
    if manager is None:
        return Routing(None, "no_manager")
    if manager.email == reporter.email:
        return Routing(None, "manager_is_reporter")
    if is_subject(manager.email):
        return Routing(None, "manager_reported")
    return Routing(manager.email, "line_manager")


def subject_emails(who: str) -> list[str]:
    """Every email in a report's "who", in order: that is how a reported person in the directory is
    recognised most surely."""
    found = []
    for word in who.replace(",", " ").replace(";", " ").replace("<", " ").replace(">", " ").split():
        if "@" in word and "." in word.split("@")[-1]:
            found.append(word.strip(".()[]'\"").lower())
    return found
