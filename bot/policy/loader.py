"""Load `policy_content/` (or another organisation's folder of the same shape) into a `Policy`.

The folder holds four YAML files:
- `policy.yaml`, written by `snp-bot policy import`: metadata and the verbatim clauses;
- `guidance.yaml`, written by hand: summaries, staff phrasings, related policies, signposts;
- `vocabulary.yaml`: staff words → policy words, and the terms that put a question in scope;
- `messages.yaml`: every sentence the bot says that is not a clause.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.policy.models import Clause, Policy

#: libyaml's loader when the wheel has it: five times faster, which start-up time notices.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FILES = ("policy.yaml", "guidance.yaml", "vocabulary.yaml", "messages.yaml")


class PolicyContentError(ValueError):
    """The policy folder is missing a file or holds a wrong value; the message says which."""


def default_content_dir() -> Path:
    """The policy shipped with the package (NHS Bolton CCG's SOCIAL001)."""
    return Path(str(resources.files("policy_content")))


def read_yaml(folder: Path, name: str) -> dict:
    """A YAML mapping from the policy folder, or a PolicyContentError naming the file and fault."""
    path = folder / name
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError:
        raise PolicyContentError(f"{path}: file missing") from None
    except yaml.YAMLError as exc:
        raise PolicyContentError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise PolicyContentError(f"{path}: expected a mapping at the top level")
    return data


def _clauses(imported: list[dict], guidance: dict) -> list[Clause]:
    known = {c["id"] for c in imported}
    unknown = sorted(set(guidance) - known)
    if unknown:
        raise PolicyContentError(f"guidance.yaml: clauses not in policy.yaml: {', '.join(unknown)}")
    return [Clause(**c, **(guidance.get(c["id"]) or {})) for c in imported]


def _check_references(policy: Policy) -> None:
    for clause in policy.clauses:
        missing = set(clause.related) - policy.related.keys()
        if missing:
            raise PolicyContentError(
                f"guidance.yaml: clause {clause.id} names unknown related policies: {', '.join(sorted(missing))}")


@lru_cache(maxsize=4)
def load_policy(folder: Path | None = None) -> Policy:
    """Read and validate a policy folder; cached, since the content does not change while serving."""
    folder = Path(folder) if folder else default_content_dir()
    imported, guidance, vocabulary, messages = (read_yaml(folder, name) for name in FILES)
    try:
        policy = Policy(
            meta={**imported["policy"], "organisation": guidance.get("organisation", "")},
            sections=imported.get("sections", []),
            clauses=_clauses(imported.get("clauses", []), guidance.get("clauses", {})),
            related=guidance.get("related_policies", {}),
            signposts=guidance.get("signposts", []),
            vocabulary=vocabulary,
            messages=messages,
        )
    except (ValidationError, KeyError, TypeError) as exc:
        raise PolicyContentError(f"{folder}: {exc}") from None
    _check_references(policy)
    return policy
