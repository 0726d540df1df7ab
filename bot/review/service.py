"""Review a draft post: every category's rule and classifier, the verdict by the taxonomy's rule,
a rewrite.

The rules (`detectors/`) find what words and identifiers show; the classifiers (`semantic.py`)
what the draft means, where no word list reaches. Drafts can be anything a person pastes into
Slack (up to 40,000 characters), so the input is cleaned first and every step is linear in the
length of the draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.policy.examples import Example, load_drafts
from bot.policy.models import Policy
from bot.review.detectors import DETECTORS
from bot.review.draft import Draft
from bot.review.lexicon import Lexicon
from bot.review.models import CATEGORIES, Finding, Hit, Review, Span, verdict_of
from bot.review.rewrite import rewrite
from bot.review.semantic import DraftModel
from bot.semantic.encoder import Encoder, load_encoder
from bot.text import clean, is_other_language

#: Slack's longest message; Teams' is shorter.
MAX_DRAFT_CHARS = 40_000
NO_EVIDENCE = "(the attached image)"


#: Categories whose rules are precise enough that no classifier overrules them.
UNDOUBTED = frozenset({"logo", "confidentiality"})
#: Lexicon matches counted up to this many per list, as the classifiers' lexical inputs.
MATCH_CAP = 3
#: Findings are listed in the detectors' order: the breach risks first, the cautions after.
CATEGORY_ORDER = {detect.__name__: i for i, detect in enumerate(DETECTORS)}


def _certain(hit: Hit, draft: Draft) -> bool:
    """A rule finding no classifier overrules: the logo; identifiers with a detail about the
    person (confidentiality's rules); a photo attached (which the classifiers, reading text,
    cannot see)."""
    return (hit.category in UNDOUBTED or bool(hit.redact)
            or (hit.category == "photo_consent" and bool(draft.attachments)))


class Reviewer:
    """The rules of `detectors/` and the classifiers of `semantic.py`, fitted once per process."""

    def __init__(self, policy: Policy, lexicon: Lexicon, folder: Path | None = None,
                 examples: Sequence[Example] | None = None, encoder: Encoder | None = None,
                 cache: bool = True) -> None:
        self.policy = policy
        self.lexicon = lexicon
        self.encoder = encoder or load_encoder()
        if examples is None:
            examples = load_drafts(set(CATEGORIES), folder)
        self.model = DraftModel(self.encoder, examples, CATEGORIES, self.features,
                                lambda inputs: inputs[:, -len(CATEGORIES):] > 0.5,
                                (*lexicon.list_names, *CATEGORIES), cache=cache)

    def _rules(self, draft: Draft) -> list[Hit]:
        return [h for h in (detect(draft, self.lexicon) for detect in DETECTORS) if h is not None]

    def _lexical(self, draft: Draft, hits: list[Hit]) -> list[float]:
        """Which lexicon lists matched (from the draft's one scan, which the rules made) and which rules fired."""
        fired = {h.category for h in hits}
        return ([min(draft.count(self.lexicon, name), MATCH_CAP) / MATCH_CAP for name in self.lexicon.list_names]
                + [float(c in fired) for c in CATEGORIES])

    def features(self, texts: list[str], first: tuple[Draft, list[Hit]] | None = None) -> np.ndarray:
        """Sentence vectors beside lexicon matches and rule results, one row per text; the first
        text's draft and rule results may be given when they are known already."""
        lexical = []
        for i, text in enumerate(texts):
            if i == 0 and first is not None:
                draft, hits = first
            else:
                draft = Draft(text)
                hits = self._rules(draft)
            lexical.append(self._lexical(draft, hits))
        return np.hstack([self.encoder.encode(texts), np.array(lexical, dtype=np.float32)])

    def _combined(self, draft: Draft, hits: list[Hit]) -> list[Hit]:
        """The rules' findings that the classifiers do not overrule, and the classifiers' findings
        that the rules did not make, each quoting the sentence that carries it."""
        sentences = [(s.start, s.end) for s in draft.sentences]
        pieces = [draft.text[a:b] for a, b in sentences] if len(sentences) > 1 else []
        inputs = self.features([draft.text, *pieces], (draft, hits))
        readings = {r.category: r for r in self.model.read(inputs, sentences)}
        found = [h for h in hits if _certain(h, draft) or not readings[h.category].doubts_rule]
        fired = {h.category for h in found}
        for reading in readings.values():
            silenced = any(draft.has(self.lexicon, name) for name in self.lexicon.silenced_by.get(reading.category, ()))
            if reading.found and reading.category not in fired and not silenced:
                start, end = reading.sentence
                text = draft.text[start:end]
                start += len(text) - len(text.lstrip())
                end -= len(text) - len(text.rstrip())
                found.append(Hit(reading.category, (Span(start, end),)))
        return found

    def review(self, raw: str | bytes, attachments: tuple[str, ...] = ()) -> Review:
        incoming = clean(raw, MAX_DRAFT_CHARS)
        if incoming.problem:
            return self._notice(incoming.text[:200], incoming.problem, length=f"{incoming.length:,}")
        if is_other_language(incoming.text):
            return self._notice(incoming.text, "not_english")
        draft = Draft(incoming.text, attachments)
        hits = self._combined(draft, self._rules(draft))
        hits.sort(key=lambda h: CATEGORY_ORDER[h.category])
        findings = tuple(self._finding(draft, h) for h in hits)
        return Review(draft.text, verdict_of(findings), findings, rewrite(draft, hits, self.lexicon) if hits else None)

    def _finding(self, draft: Draft, hit: Hit) -> Finding:
        rule = self.lexicon.categories[hit.category]
        words = list(dict.fromkeys(draft.text[s.start:s.end] for s in hit.spans))
        advice = rule.advice
        if hit.category == "photo_consent" and draft.attachments:
            advice = f"{advice} {self.lexicon.messages['attachment_reminder']}"
        return Finding(hit.category, rule.clause, rule.severity, " … ".join(words) or NO_EVIDENCE, advice)

    def _notice(self, text: str, problem: str, **values: str) -> Review:
        message = self.lexicon.messages[f"input_{problem}"].format(limit=f"{MAX_DRAFT_CHARS:,}", **values)
        return Review(text, None, (), None, notice=message)
