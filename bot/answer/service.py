"""Answer a question about the policy from its best one or two clauses, or say it does not cover it.

The decision to answer rests on three things, each cheap and explainable to a member of staff:
the best match is a clause rather than a signpost to another policy; the question uses at least one
term of the policy's subject (social media, posting, the policy itself; `vocabulary.yaml` anchors);
and the match is strong enough. Otherwise the bot says so and points to who can help, instead of
guessing: a wrong clause quoted with confidence is worse than no answer.
"""

from __future__ import annotations

from bot.answer.analyzer import Analyzer
from bot.answer.models import Answer, Citation
from bot.answer.quote import Quoter
from bot.answer.ranker import Hit, Ranker
from bot.answer.smalltalk import SmallTalk
from bot.policy.models import Clause, Policy, Signpost
from bot.text import clean, is_other_language

MAX_QUESTION_CHARS = 1_000
#: Below this BM25 score the best clause is a coincidence of common words, not an answer.
MIN_SCORE = 2.5
#: A question without any anchor term is still answered when its best clause scores this high:
#: it then shares so many specific words with the clause that it is about it ("do managers have
#: to lead by example in treating staff with dignity and respect?").
UNANCHORED_SCORE = 8.5
#: A clause is cited beside the best one when it scores at least this share of the best.
CITE_RATIO = 0.55
#: ...and also quoted in the answer text when it scores at least this share.
QUOTE_RATIO = 0.8
MAX_CITATIONS = 3


class Answerer:
    """Holds one policy's index; `answer()` is pure and fast (well under a millisecond)."""

    def __init__(self, policy: Policy, policy_url: str | None = None) -> None:
        self.policy = policy
        self.policy_url = policy_url
        self.ranker = Ranker(policy, Analyzer(policy.vocabulary))
        self.smalltalk = SmallTalk(policy)
        self.quoter = Quoter(policy.clauses, self.ranker.analyzer)

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
        hits = self.ranker.rank(terms)
        if self._answerable(hits, terms):
            return self._compose(question, terms, [h for h in hits if h.is_clause])
        return self._decline(question, hits)

    def _answerable(self, hits: list[Hit], terms: list[str]) -> bool:
        if not hits or not hits[0].is_clause:
            return False
        anchored = any(t in self.ranker.analyzer.anchors for t in terms)
        return hits[0].score >= (MIN_SCORE if anchored else UNANCHORED_SCORE)

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

    def _decline(self, question: str, hits: list[Hit]) -> Answer:
        signpost = next((h.doc for h in hits if isinstance(h.doc, Signpost)), None)
        if signpost:
            text = self.policy.message("not_covered_topic", topic=signpost.topic, pointer=signpost.pointer)
            pointer = signpost.pointer
        else:
            pointer = self.policy.message("default_pointer")
            text = self.policy.message("not_covered", pointer=pointer)
        return Answer(question, text, in_scope=False, pointer=pointer)

    def _notice(self, question: str, problem: str, **values: str) -> Answer:
        return Answer(question, self.policy.message(f"input_{problem}", **values), in_scope=False, notice=problem)
