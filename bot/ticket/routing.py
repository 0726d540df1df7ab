"""Who handles a report: the reporter's line manager (7.1), or People Services (7.2) when the
line manager, or anyone above them, is or may be the person reported, when the manager is the
reporter, or when there is no manager on file.

A handler of None means People Services as a whole: every member is notified and any may act.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.directory.models import Person


@dataclass(frozen=True)
class Routing:
    handler_email: str | None
    reason: str  # a key of tickets.yaml's `routing`


def route(reporter: Person, manager: Person | None, named: set[str], certain: set[str] | None = None) -> Routing:
    """`named` holds the emails of everyone in the reporter's management chain the report may be
    about (`certain`, those it names for certain): any of them keeps it away from the chain."""
    if manager is None:
        return Routing(None, "no_manager")
    if manager.email == reporter.email:
        return Routing(None, "manager_is_reporter")
    if manager.email in (certain or set()):
        return Routing(None, "manager_reported")
    if named:
        return Routing(None, "manager_may_be_reported")
    return Routing(manager.email, "line_manager")


def subject_emails(who: str) -> list[str]:
    """Every email in a report's "who", in order: that is how a reported person in the directory is
    recognised most surely."""
    found = []
    for word in who.replace(",", " ").replace(";", " ").replace("<", " ").replace(">", " ").split():
        if "@" in word and "." in word.split("@")[-1]:
            found.append(word.strip(".()[]'\"").lower())
    return found
