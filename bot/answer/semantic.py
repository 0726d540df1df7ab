"""What a question means, beside the words it shares with the policy: which clause it is about,
and whether the policy is what it is about at all.

Two models over the question's sentence vector, fitted on the example banks of
`policy_content/examples/` (and the clauses' own guidance phrasings):
- the *clause model*, a softmax over the clauses, which `Answerer` fuses with the BM25 ranking;
- the *scope model*, in scope against out of scope, whose inputs add what BM25 saw (how strongly
  the best clause and the best signpost matched, whether a term of the policy's subject was
  used): a calibrated probability that the policy answers the question, instead of a score floor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from bot.policy.examples import Example
from bot.semantic.cache import cached_arrays, key_of
from bot.semantic.encoder import Encoder
from bot.semantic.linear import Softmax, balanced

VERSION = 3
IN, OUT = "in", "out"
#: L2 penalties, chosen by cross-validation on the banks (`benchmarks/semantic_cv.py`): the scope
#: model must generalise from a few hundred near-misses, so it is held much flatter.
CLAUSE_PENALTY = 1e-3
SCOPE_PENALTY = 0.3


class QuestionModel:
    def __init__(self, encoder: Encoder, examples: Sequence[Example],
                 lexical: Callable[[str], np.ndarray], prepare: Callable[[str], str] = str,
                 cache: bool = True) -> None:
        """`lexical` gives the scope model's BM25 inputs for a text; `prepare` is applied to every
        text before it is encoded (the answerer corrects spelling), in fitting as in reading."""
        self.encoder = encoder
        self.prepare = prepare
        texts = [e.text for e in examples]
        in_scope = [e for e in examples if e.labels]
        clause_labels = [sorted(e.labels)[0] for e in in_scope]
        scope_labels = [IN if e.labels else OUT for e in examples]
        self.clauses_of = tuple(sorted(set(clause_labels)))

        def fit() -> dict[str, np.ndarray]:
            vectors = encoder.encode([prepare(t) for t in texts])
            mask = np.array([bool(e.labels) for e in examples])
            clause = Softmax.fit(vectors[mask], clause_labels, CLAUSE_PENALTY)
            scope_inputs = np.hstack([vectors, np.array([lexical(t) for t in texts])])
            scope = Softmax.fit(scope_inputs, scope_labels, SCOPE_PENALTY, balanced(scope_labels))
            return {**clause.arrays("clause"), **scope.arrays("scope")}

        key = key_of(VERSION, CLAUSE_PENALTY, SCOPE_PENALTY, encoder.name, texts, [sorted(e.labels) for e in examples])
        arrays = cached_arrays("questions", key, fit) if cache else fit()
        self._clause = Softmax.from_arrays(self.clauses_of, arrays, "clause")
        self._scope = Softmax.from_arrays((IN, OUT), arrays, "scope")

    def vector(self, question: str) -> np.ndarray:
        """The question's sentence vector, as the models read it."""
        return self.encoder.encode([self.prepare(question)])[0]

    def read(self, vector: np.ndarray, lexical: np.ndarray) -> tuple[dict[str, float], float]:
        """The probability of each clause, and the probability that the question is in scope, from
        its vector and its lexical features."""
        clauses = self._clause.probabilities(vector[None, :])[0]
        scope = self._scope.probabilities(np.hstack([vector, lexical])[None, :])[0]
        return dict(zip(self.clauses_of, clauses.tolist())), float(scope[0])
