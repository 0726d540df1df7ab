"""The example banks of `policy_content/examples/`: what staff ask and what they post, by clause
and by review category, from which the semantic models are fitted.

- `questions/*.yaml`: clause id → questions whose best answer is that clause;
- `out_of_scope.yaml`: group → questions the policy does not answer (near-misses above all);
- `drafts/*.yaml`: review category → drafts that have it (and only it), `mixed` → drafts with
  several (`{text, labels}`); `drafts/clean*.yaml`: group → drafts with no problem at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.policy.loader import PolicyContentError, default_content_dir, read_yaml


@dataclass(frozen=True)
class Example:
    text: str
    #: The clause ids (questions) or review categories (drafts) the text has; empty: out of scope / clean.
    labels: frozenset[str]
    #: Where it came from ("questions/employees.yaml"), for error messages and cross-validation by file.
    source: str


def _strings(values: object, where: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise PolicyContentError(f"{where}: expected a list of non-empty strings")
    return [v.strip() for v in values]


def load_questions(clause_ids: set[str], folder: Path | None = None) -> tuple[Example, ...]:
    """Every example question, in scope (labelled with its clause) and out of scope (unlabelled)."""
    root = Path(folder or default_content_dir()) / "examples"
    examples: list[Example] = []
    for path in sorted((root / "questions").glob("*.yaml")):
        source = f"questions/{path.name}"
        for clause, questions in read_yaml(path.parent, path.name).items():
            if str(clause) not in clause_ids:
                raise PolicyContentError(f"{root / source}: {clause!r} is not a clause of policy.yaml")
            examples += [Example(q, frozenset({str(clause)}), source)
                         for q in _strings(questions, f"{root / source}: {clause}")]
    if (root / "out_of_scope.yaml").exists():
        for group, questions in read_yaml(root, "out_of_scope.yaml").items():
            examples += [Example(q, frozenset(), "out_of_scope.yaml")
                         for q in _strings(questions, f"{root / 'out_of_scope.yaml'}: {group}")]
    return tuple(examples)


def _mixed(items: object, categories: set[str], where: str) -> list[Example]:
    if not isinstance(items, list):
        raise PolicyContentError(f"{where}: expected a list of {{text, labels}}")
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not set(item.get("labels") or ()):
            raise PolicyContentError(f"{where}: each item needs text and labels: {item!r}")
        unknown = set(item["labels"]) - categories
        if unknown:
            raise PolicyContentError(f"{where}: unknown categories {sorted(unknown)}")
        out.append(Example(item["text"].strip(), frozenset(item["labels"]), where.rsplit("/", 1)[-1]))
    return out


def load_drafts(categories: set[str], folder: Path | None = None) -> tuple[Example, ...]:
    """Every example draft with the review categories it has (none for the clean ones)."""
    root = Path(folder or default_content_dir()) / "examples" / "drafts"
    examples: list[Example] = []
    for path in sorted(root.glob("*.yaml")):
        source = f"drafts/{path.name}"
        clean = path.name.startswith("clean")
        for key, values in read_yaml(root, path.name).items():
            where = f"{path}: {key}"
            if clean:
                examples += [Example(t, frozenset(), source) for t in _strings(values, where)]
            elif key == "mixed":
                examples += _mixed(values, categories, where)
            elif key in categories:
                examples += [Example(t, frozenset({key}), source) for t in _strings(values, where)]
            else:
                raise PolicyContentError(f"{where}: not a review category of review.yaml")
    return tuple(examples)
