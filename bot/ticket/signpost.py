"""Section 7's other routes: bullying of the reporter (7.4, Dignity at Work), malpractice (7.5,
whistleblowing) and grievances (7.6). The reporter is told; the ticket opens all the same."""

from __future__ import annotations

from bot.policy import Policy
from bot.ticket.content import TicketContent
from bot.ticket.report import Report


def signposts_for(report: Report, content: TicketContent) -> list[str]:
    """The clauses whose words the report's what-happened and who match, in clause order."""
    text = f"{report.what}\n{report.who}"
    return [clause for clause, rule in sorted(content.signposts.items()) if rule.matches(text)]


def signpost_lines(clauses: list[str], content: TicketContent, policy: Policy) -> list[str]:
    lines = []
    for clause in clauses:
        related = policy.related.get(content.signposts[clause].policy)
        rule = content.signposts[clause]
        lines.append(content.say("report_signpost", clause=clause, advice=rule.advice,
                                 policy=related.name if related else rule.policy,
                                 contact=related.contact if related else "People Services"))
    return lines
