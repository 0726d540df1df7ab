"""What a reporter tells: who, where, what happened, when, and links to evidence.

Validated here, once, for every platform's form; the limits come from `tickets.yaml`.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

from bot.text import encodable
from bot.ticket.content import TicketContent

LINK = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)


class ReportInvalid(ValueError):
    """A field of the report is missing or wrong; `field` names it and the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Report:
    what: str
    where: str
    when: str
    who: str = ""
    evidence: tuple[str, ...] = field(default=())

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "evidence": list(self.evidence)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Report:
        data = json.loads(text)
        return cls(**{**data, "evidence": tuple(data.get("evidence", ()))})

    def summary(self, content: TicketContent) -> str:
        """The report as labelled lines, for the reporter's confirmation and the handler's message."""
        values = {**asdict(self), "evidence": " ".join(self.evidence)}
        return "\n".join(f"{f.label} {values[f.name] or '(not given)'}" for f in content.form)


def split_links(text: str) -> list[str]:
    return [part.strip(",;") for part in text.split() if part.strip(",;")]


def check_field(content: TicketContent, name: str, value: str) -> str:
    """The cleaned value of one field, or ReportInvalid with the message to show."""
    spec = content.field(name)
    value = encodable(value).replace("\x00", "").strip()
    if spec.required and not value:
        raise ReportInvalid(name, content.say("report_field_required", prompt=spec.prompt))
    if len(value) > spec.max_length:
        raise ReportInvalid(name, content.say("report_field_too_long", length=len(value), limit=spec.max_length))
    if name == "evidence" and value:
        bad = [item for item in split_links(value) if not LINK.match(item)]
        if bad:
            raise ReportInvalid(name, content.say("report_evidence_not_links", items=", ".join(bad[:3])))
    return value


def build_report(content: TicketContent, values: dict[str, str]) -> Report:
    """A Report from a form's values (missing optional fields are blank)."""
    clean = {f.name: check_field(content, f.name, values.get(f.name, "") or "") for f in content.form}
    return Report(what=clean["what"], where=clean["where"], when=clean["when"], who=clean["who"],
                  evidence=tuple(split_links(clean["evidence"])))
