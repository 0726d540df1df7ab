"""Rank the policy's clauses, and the signposts for topics it does not cover, against a question.

Two BM25 indexes (bm25s) are scored and added up:
- the *guidance* field: each clause's title, summary and staff phrasings, with staff concepts
  (`vocabulary.yaml`): what the clause is about, in the words people use;
- the *text* field: the clause's verbatim wording, stems only: the policy's own words, for people
  who use them. Concepts are left out here because the policy names things in passing (2.1 lists
  the Disciplinary Policy; it is not about discipline), and that would drown the clause about it.
Signposts live in the same indexes (an empty text field), so a question about annual leave is
claimed by the annual-leave signpost rather than by whichever clause happens to mention "leave".
"""

from __future__ import annotations

from dataclasses import dataclass

import bm25s
import numpy as np

from bot.answer.analyzer import CONCEPT, Analyzer
from bot.policy.models import Clause, Policy, Signpost

#: Term saturation and length normalisation, and the weight of the verbatim text beside guidance.
K1, B = 0.9, 0.5
TEXT_WEIGHT = 0.5


@dataclass(frozen=True)
class Hit:
    """One ranked document: a clause of the policy or a signpost away from it."""

    doc: Clause | Signpost
    score: float

    @property
    def is_clause(self) -> bool:
        return isinstance(self.doc, Clause)


def guidance_text(doc: Clause | Signpost) -> str:
    if isinstance(doc, Signpost):
        return "\n".join([doc.topic, *doc.phrasings])
    return "\n".join([doc.title, doc.title, doc.summary, *doc.phrasings])


def _index(token_lists: list[list[str]]) -> bm25s.BM25:
    index = bm25s.BM25(k1=K1, b=B)
    index.index([tokens or [""] for tokens in token_lists], show_progress=False)
    return index


class Ranker:
    """The two indexes over one policy, built once per process (a few milliseconds)."""

    def __init__(self, policy: Policy, analyzer: Analyzer) -> None:
        self.docs: list[Clause | Signpost] = [*policy.clauses, *policy.signposts]
        guidance = [guidance_text(d) for d in self.docs]
        texts = [d.text if isinstance(d, Clause) else "" for d in self.docs]
        analyzer.learn(guidance + texts)
        self.analyzer = analyzer
        self._guidance = _index([analyzer.tokens(t, spell=False) for t in guidance])
        self._text = _index([[t for t in analyzer.tokens(x, spell=False) if not t.startswith(CONCEPT)]
                             for x in texts])

    def scores(self, terms: list[str]) -> np.ndarray:
        words = [t for t in terms if not t.startswith(CONCEPT)]
        text = self._text.get_scores(words) if words else 0.0
        return self._guidance.get_scores(terms) + TEXT_WEIGHT * text

    def rank(self, terms: list[str], limit: int = 5) -> list[Hit]:
        """The best `limit` documents for a question's index terms, best first, zero scores dropped."""
        if not terms:
            return []
        scores = self.scores(terms)
        best = np.argsort(-scores, kind="stable")[:limit]
        return [Hit(self.docs[i], float(scores[i])) for i in best if scores[i] > 0]
