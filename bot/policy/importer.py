"""Turn a policy document numbered like SOCIAL001 into `policy_content/`'s clause structure.

NHS policies share a house style: a document-control table, then numbered sections ("4
Responsibilities"), sub-headings ("4.1 People Services") and numbered paragraphs ("4.1.1 …"),
with bullets and the odd unnumbered paragraph that belongs to the clause above it. Reading that
style is the product's own job, so it is written here rather than borrowed: no document library
knows what a clause is.

The importer keeps every clause's wording verbatim (white space folded, bullets kept as "- "
lines) so that quotes in answers are the policy's own words.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})

#: Header-table labels and the metadata keys they fill.
HEADER_FIELDS = {
    "policy number": "number",
    "target audience": "audience",
    "approving committee": "approving_committee",
    "date approved": "approved",
    "last review date": "last_review",
    "next review date": "next_review",
    "policy author": "author",
    "version number": "version",
}
DATE_FIELDS = {"approved", "last_review", "next_review"}

NUMBERED = re.compile(r"^(?:-\s*)?(\d+(?:\.\d+)*)\.?(?:\*\*)?\s+(.*)$")
BULLET = re.compile(r"^\s*-\s+(.*)$")
TABLE_ROW = re.compile(r"^\|(.*)\|\s*$")


class PolicyFormatError(ValueError):
    """The document does not look like a numbered policy; the message says what is missing."""


@dataclass
class _Block:
    """One numbered line with the unnumbered lines that follow it."""

    number: str
    head: str
    body: list[str] = field(default_factory=list)


def parse_month(value: str) -> str | None:
    """'July 2017' or 'Dec 2015' → '2017-07'; None when the value names no month and year."""
    match = re.search(r"([A-Za-z]+)\s+(\d{4})", value)
    if not match or match.group(1).lower() not in MONTHS:
        return None
    return f"{match.group(2)}-{MONTHS[match.group(1).lower()]:02d}"


def _clean(line: str) -> str:
    """Fold white space and drop the bold markers a Word-to-text export leaves behind."""
    return re.sub(r"\s+", " ", line.replace("**", "")).strip()


def _header(lines: list[str]) -> tuple[dict, list[str], int]:
    """Read the title, the document-control table and the paragraphs before the body."""
    meta: dict = {}
    paragraphs: list[str] = []
    title = ""
    end = len(lines)
    for i, raw in enumerate(lines):
        line = raw.strip()
        if line.lower() in ("contents", "version control sheet") or NUMBERED.match(line):
            end = i
            break
        row = TABLE_ROW.match(line)
        if row:
            cells = [_clean(c) for c in row.group(1).split("|")]
            if len(cells) >= 2 and cells[0].lower() in HEADER_FIELDS:
                meta[HEADER_FIELDS[cells[0].lower()]] = cells[1]
        elif line and not title:
            title = _clean(line)
        elif line:
            paragraphs.append(_clean(line))
    meta["title"] = title
    return meta, paragraphs, end


def _body_start(lines: list[str], start: int) -> int:
    """Skip the version-control sheet and the Contents list: the body starts at the first
    numbered line that is not a Contents bullet, once a Contents heading has been seen."""
    seen_contents = False
    for i in range(start, len(lines)):
        line = lines[i].strip()
        if line.lower() == "contents":
            seen_contents = True
        elif seen_contents and NUMBERED.match(line) and not line.startswith("-"):
            return i
    if seen_contents:
        raise PolicyFormatError("found a Contents list but no numbered section after it")
    for i in range(start, len(lines)):
        if NUMBERED.match(lines[i].strip()) and not TABLE_ROW.match(lines[i].strip()):
            return i
    raise PolicyFormatError("found no numbered clauses (lines like '1.1 The policy …')")


def _blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    for raw in lines:
        line = raw.rstrip()
        match = NUMBERED.match(line.strip())
        if match:
            blocks.append(_Block(match.group(1), _clean(match.group(2))))
        elif line.strip() and blocks:
            bullet = BULLET.match(line)
            blocks[-1].body.append("- " + _clean(bullet.group(1)) if bullet else _clean(line))
    return blocks


def _is_heading(block: _Block, numbers: list[str], index: int) -> bool:
    """A numbered line is a heading when deeper-numbered clauses follow it ('4.1' before '4.1.1'),
    or when it is a short title with prose under it and no clause of its own ('8 Monitoring')."""
    prefix = block.number + "."
    if any(n.startswith(prefix) for n in numbers[index + 1:]):
        return True
    return bool(block.body) and len(block.head) < 60 and not block.head.endswith((".", ":", ";"))


def import_policy_text(text: str) -> dict:
    """Parse a policy document into the plain data that `policy.yaml` holds.

    Returns {"policy": metadata, "sections": [...], "clauses": [{"id", "section", "text"}]}.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    meta, paragraphs, header_end = _header(lines)
    if "number" not in meta or "version" not in meta:
        raise PolicyFormatError("the document-control table needs 'Policy Number' and 'Version Number' rows")
    blocks = _blocks(lines[_body_start(lines, header_end):])
    numbers = [b.number for b in blocks]
    sections, clauses = [], []
    header_rows = [f"{label.title()}: {meta[key]}" for label, key in HEADER_FIELDS.items() if key in meta]
    clauses.append({"id": "header", "section": None, "text": "\n".join(header_rows + paragraphs)})
    for key in sorted(DATE_FIELDS & meta.keys()):
        meta[key] = parse_month(meta[key]) or meta[key]
    for index, block in enumerate(blocks):
        if _is_heading(block, numbers, index):
            sections.append({"number": block.number, "title": block.head.rstrip(":")})
            if block.body and not any(n.startswith(block.number + ".") for n in numbers[index + 1:]):
                clauses.append({"id": block.number, "section": block.number, "text": "\n".join(block.body)})
            continue
        section = max((s["number"] for s in sections if block.number.startswith(s["number"] + ".")),
                      key=len, default=None)
        clauses.append({"id": block.number, "section": section, "text": "\n".join([block.head] + block.body)})
    ids = [c["id"] for c in clauses]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise PolicyFormatError(f"clause numbers used twice: {', '.join(duplicates)}")
    return {"policy": meta, "sections": sections, "clauses": clauses}


class _LiteralDumper(yaml.SafeDumper):
    """Writes multi-line clause text as YAML block scalars, so the file reads like the policy."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _str)


def dump_policy_yaml(data: dict) -> str:
    """The text of `policy.yaml` for imported data; stable, so a re-import diffs cleanly."""
    head = "# Generated by `snp-bot policy import`; edit the source document and re-import, not this file.\n"
    return head + yaml.dump(data, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True, width=100_000)


def _guidance_skeleton(data: dict) -> str:
    """A guidance.yaml to fill in: every clause with an empty summary and no phrasings yet."""
    clauses = {c["id"]: {"title": "", "summary": "", "phrasings": []} for c in data["clauses"]}
    head = ("# Fill in a plain-English summary and the staff phrasings for each clause; see the shipped\n"
            "# policy_content/guidance.yaml for a worked example.\n")
    body = {"organisation": "", "related_policies": {}, "clauses": clauses, "signposts": []}
    return head + yaml.dump(body, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True, width=100)


def write_policy_folder(source: Path, out: Path) -> str:
    """Import `source` into the folder `out`, keeping any guidance already there.

    Writes policy.yaml; adds guidance.yaml (a skeleton), and vocabulary.yaml, messages.yaml,
    review.yaml and tickets.yaml (the shipped ones, to adapt) only where missing. Returns a report.
    """
    from bot.policy.loader import default_content_dir

    data = import_policy_text(source.read_text(encoding="utf-8-sig"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "policy.yaml").write_text(dump_policy_yaml(data), encoding="utf-8")
    lines = [f"Imported {data['policy']['number']} {data['policy']['version']}: "
             f"{len(data['clauses'])} clauses in {len(data['sections'])} sections → {out / 'policy.yaml'}"]
    guidance_path = out / "guidance.yaml"
    if not guidance_path.exists():
        guidance_path.write_text(_guidance_skeleton(data), encoding="utf-8")
        lines.append(f"Wrote {guidance_path}: add a summary and staff phrasings for each clause.")
    else:
        guided = set((yaml.safe_load(guidance_path.read_text(encoding="utf-8")) or {}).get("clauses") or {})
        ids = [c["id"] for c in data["clauses"]]
        if missing := [i for i in ids if i not in guided]:
            lines.append(f"No guidance yet for clauses: {', '.join(missing)}")
        if stale := sorted(guided - set(ids)):
            lines.append(f"Guidance for clauses no longer in the policy (remove it): {', '.join(stale)}")
    for name in ("vocabulary.yaml", "messages.yaml", "review.yaml", "tickets.yaml"):
        if not (out / name).exists() and (default_content_dir() / name).exists():
            shutil.copyfile(default_content_dir() / name, out / name)
            lines.append(f"Copied the default {name}; adapt it to your organisation.")
    return "\n".join(lines)
