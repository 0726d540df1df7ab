"""Answer a question about the policy from its best one or two clauses, or say it does not cover it.

Two readings of the question are fused: BM25 over the clauses' wording and guidance (the words it
shares with the policy), and the clause model over its sentence vector (what it means, learnt from
the example banks, for questions in none of the policy's words). Whether to answer at all is the
scope model's call: a probability, fitted on in-scope against out-of-scope examples, that the
policy is what the question is about. A wrong clause quoted with confidence is worse than no
answer, so a question the scope model doubts is declined with a pointer to who can help.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np

from bot.answer.analyzer import Analyzer
from bot.answer.models import Answer, Citation
from bot.answer.quote import Quoter
from bot.answer.ranker import Hit, Ranker
from bot.answer.semantic import QuestionModel
from bot.answer.smalltalk import SmallTalk
from bot.policy.examples import Example, load_questions
from bot.policy.models import Clause, Policy, Signpost
from bot.semantic.encoder import Encoder, load_encoder
from bot.text import clean, is_other_language

MAX_QUESTION_CHARS = 1_000
#: Below this probability of being in scope the question is declined.
SCOPE_THRESHOLD = 0.5
#: How much the BM25 match (as a share of the best) adds to the clause model's log-probability.
LEXICAL_WEIGHT = 8.0
#: A clause is cited beside the best one when its fused share is at least this part of the best.
CITE_RATIO = 0.05
#: ...and also quoted in the answer text when it is at least this part.
QUOTE_RATIO = 0.75
MAX_CITATIONS = 3
#: A declined question is pointed to another policy's signpost only when it matches it this well
#: (BM25), and at least this share of the best match of all.
SIGNPOST_MIN_SCORE = 4.0
SIGNPOST_SHARE = 0.6
#: ...or when its topic or one of its phrasings is this close in meaning (cosine of sentence vectors).
SIGNPOST_CLOSENESS = 0.6
#: BM25 scores are divided by this before they enter the scope model (they run from 0 to about 30).
SCORE_SCALE = 10.0


def guidance_examples(policy: Policy) -> list[Example]:
    """The clauses' own phrasings and the signposts' topics, as examples beside the banks."""
    found = [Example(p, frozenset({c.id}), "guidance.yaml") for c in policy.clauses for p in c.phrasings]
    return found + [Example(p, frozenset(), "guidance.yaml") for s in policy.signposts
                    for p in (s.topic, *s.phrasings)]


class Answerer:
    """Holds one policy's index and fitted models; `answer()` is pure and takes about a millisecond."""

    def __init__(self, policy: Policy, policy_url: str | None = None, folder: Path | None = None,
                 examples: Sequence[Example] | None = None, encoder: Encoder | None = None,
                 cache: bool = True) -> None:
        self.policy = policy
        self.policy_url = policy_url
        self.ranker = Ranker(policy, Analyzer(policy.vocabulary))
        self.smalltalk = SmallTalk(policy)
        self.quoter = Quoter(policy.clauses, self.ranker.analyzer)
        self._clause_at = [i for i, d in enumerate(self.ranker.docs) if isinstance(d, Clause)]
        self._signpost_at = [i for i, d in enumerate(self.ranker.docs) if isinstance(d, Signpost)]
        if examples is None:
            examples = load_questions({c.id for c in policy.clauses}, folder)
        encoder = encoder or load_encoder()
        self._signpost_vectors = [encoder.encode([self.ranker.analyzer.corrected(p) for p in (s.topic, *s.phrasings)])
                                  for s in policy.signposts]
        self.model = QuestionModel(encoder, [*examples, *guidance_examples(policy)],
                                   self.lexical_features, self.ranker.analyzer.corrected, cache=cache)

    today = staticmethod(date.today)

    def answer(self, raw: str | bytes) -> Answer:
        incoming = clean(raw, MAX_QUESTION_CHARS)
        if incoming.problem:
            return self._notice(incoming.text[:200], incoming.problem, length=f"{incoming.length:,}")
        question = incoming.text
        guide = self.smalltalk.reply(question)
        if guide:
            return Answer(question, guide, in_scope=False)
        if is_other_language(question):
            return self._notice(question, "not_english")
        terms = self.ranker.analyzer.query_terms(question)
        scores = self._scores(terms)
        vector = self.model.vector(question)
        probabilities, in_scope = self.model.read(vector, self._features(scores, terms))
        hits = self._fused(scores, probabilities)
        if in_scope >= SCOPE_THRESHOLD and hits:
            return self._compose(question, terms, hits)
        return self._decline(question, vector, self._lexical_hits(scores))

    def _scores(self, terms: list[str]) -> np.ndarray:
        return self.ranker.scores(terms) if terms else np.zeros(len(self.ranker.docs))

    def _features(self, scores: np.ndarray, terms: list[str]) -> np.ndarray:
        best_clause = max((scores[i] for i in self._clause_at), default=0.0)
        best_signpost = max((scores[i] for i in self._signpost_at), default=0.0)
        anchored = any(t in self.ranker.analyzer.anchors for t in terms)
        return np.array([best_clause / SCORE_SCALE, best_signpost / SCORE_SCALE, float(anchored),
                         float(best_signpost > best_clause)], dtype=np.float32)

    def lexical_features(self, text: str) -> np.ndarray:
        """What BM25 sees in a text, as the scope model's extra inputs."""
        terms = self.ranker.analyzer.query_terms(text)
        return self._features(self._scores(terms), terms)

    def _fused(self, scores: np.ndarray, probabilities: dict[str, float]) -> list[Hit]:
        """Clauses by the clause model's log-probability plus the BM25 score's share of the best,
        as shares that add up to one, best first."""
        best = max(float(scores.max()), 1e-9)
        fused = {}
        for i in self._clause_at:
            clause = self.ranker.docs[i]
            fused[i] = math.log(probabilities.get(clause.id, 0.0) + 1e-9) + LEXICAL_WEIGHT * scores[i] / best
        top = max(fused.values())
        weights = {i: math.exp(v - top) for i, v in fused.items()}
        total = sum(weights.values())
        ranked = sorted(weights, key=lambda i: -weights[i])[:5]
        return [Hit(self.ranker.docs[i], weights[i] / total) for i in ranked]

    def _lexical_hits(self, scores: np.ndarray) -> list[Hit]:
        order = np.argsort(-scores, kind="stable")[:5]
        return [Hit(self.ranker.docs[i], float(scores[i])) for i in order if scores[i] > 0]

    def _citations(self, terms: list[str], hits: list[Hit]) -> list[Citation]:
        best, question_terms = hits[0].score, set(terms)
        chosen = [h.doc for h in hits if h.score >= CITE_RATIO * best][:MAX_CITATIONS]
        return [Citation(c.id, self.quoter.quote(c, question_terms), c.summary) for c in chosen
                if isinstance(c, Clause)]

    def _compose(self, question: str, terms: list[str], hits: list[Hit]) -> Answer:
        citations = self._citations(terms, hits)
        quoted = [c for c, h in zip(citations, hits) if h.score >= QUOTE_RATIO * hits[0].score][:2]
        parts = [self.policy.message("answer_clause", summary=c.summary, quote=c.quote, clause=c.clause)
                 for c in quoted]
        also = [c.clause for c in citations[len(quoted):]]
        if also:
            parts.append(self.policy.message("answer_see_also", clauses=", ".join(also)))
        related = self._related([c.clause for c in quoted])
        if related:
            parts.append(self.policy.message("answer_related", policies=related))
        parts.append(self._source_line([c.clause for c in quoted]))
        if self.policy.meta.review_overdue(self.today()):
            parts.append(self.policy.message("review_overdue"))
        return Answer(question, "\n\n".join(parts), True, tuple(citations))

    def _related(self, clause_ids: list[str]) -> str:
        """The related policies the quoted clauses point to, with who holds each: "Dignity at Work
        Policy (People Services)"."""
        keys = dict.fromkeys(k for cid in clause_ids for k in self.policy.clause(cid).related)
        return "; ".join(f"{self.policy.related[k].name} ({self.policy.related[k].contact})" for k in keys)

    def _source_line(self, clauses: list[str]) -> str:
        line = self.policy.message("answer_source", clauses=", ".join(clauses))
        return f"{line} {self.policy.message('policy_link', url=self.policy_url)}" if self.policy_url else line

    def _signpost(self, vector: np.ndarray, hits: list[Hit]) -> Signpost | None:
        """The signpost a declined question is about: the one whose topic or phrasings come
        closest in meaning, if close enough, else a strong BM25 match. A weak match ("after a
        long shift" sharing a word with the disciplinary procedure's phrasings) would point
        someone to the wrong door, so none is named then."""
        if self._signpost_vectors:
            closeness = [float((vectors @ vector).max()) for vectors in self._signpost_vectors]
            nearest = int(np.argmax(closeness))
            if closeness[nearest] >= SIGNPOST_CLOSENESS:
                return self.policy.signposts[nearest]
        best = hits[0].score if hits else 0.0
        return next((h.doc for h in hits if isinstance(h.doc, Signpost)
                     and h.score >= max(SIGNPOST_MIN_SCORE, SIGNPOST_SHARE * best)), None)

    def _decline(self, question: str, vector: np.ndarray, hits: list[Hit]) -> Answer:
        signpost = self._signpost(vector, hits)
        if signpost:
            text = self.policy.message("not_covered_topic", topic=signpost.topic, pointer=signpost.pointer)
            pointer = signpost.pointer
        else:
            pointer = self.policy.message("default_pointer")
            text = self.policy.message("not_covered", pointer=pointer)
        return Answer(question, text, in_scope=False, pointer=pointer)

    def _notice(self, question: str, problem: str, **values: str) -> Answer:
        return Answer(question, self.policy.message(f"input_{problem}", **values), in_scope=False, notice=problem)
