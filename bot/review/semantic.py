"""Which review categories a draft has, read from its meaning as well as its words.

One logistic regression per category over the draft's sentence vector, beside which lexicon lists
matched (a name, a clinical word, a negation) and which rules fired: the rules stay the
high-precision part; the classifiers find what no word list does (sarcasm, hints, a grievance told
as a joke, a patient described rather than named). Each category's threshold is chosen by
cross-validation on the banks of `policy_content/examples/drafts/` so that the classifier flags
few clean drafts; a finding quotes the draft's sentence that scores highest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.policy.examples import Example
from bot.semantic.cache import cached_arrays, key_of
from bot.semantic.encoder import Encoder
from bot.semantic.linear import Softmax, balanced

VERSION = 2
YES, NO = "yes", "no"
FOLDS = 5
PENALTY = 0.1
#: The share of clean drafts that one category's classifier may flag, in cross-validation: the largest
#: that keeps the reviewer's false alarms in cross-validation on the banks at 5% or below (semantic_cv.py).
CLEAN_BUDGET = 0.002
#: Thresholds are never below this: a coin-flip is not a finding.
LOWEST_THRESHOLD = 0.5
CANDIDATE_THRESHOLDS = np.round(np.arange(LOWEST_THRESHOLD, 0.991, 0.01), 2)


#: Below this probability a rule's finding is dropped as a false alarm, when cross-validation
#: shows that dropping helps ("Mondays should be illegal"); 0 keeps every rule finding.
CANDIDATE_VETOES = (0.0, 0.05, 0.1, 0.2, 0.3)


@dataclass(frozen=True)
class Reading:
    """A category's probability for a draft and the sentence (start, end) that carries it most."""

    category: str
    probability: float
    threshold: float
    veto: float
    sentence: tuple[int, int]

    @property
    def found(self) -> bool:
        return self.probability >= self.threshold

    @property
    def doubts_rule(self) -> bool:
        """The classifier is sure enough that the draft lacks this category to overrule a rule."""
        return self.probability < self.veto


def _f1(predicted: np.ndarray, actual: np.ndarray) -> float:
    tp = float(np.sum(predicted & actual))
    return 2 * tp / max(1.0, 2 * tp + np.sum(predicted & ~actual) + np.sum(~predicted & actual))


def choose_veto(scores: np.ndarray, actual: np.ndarray, rule: np.ndarray, threshold: float) -> float:
    """The veto with the best F1 of the combined finding: (rule and not vetoed) or classifier."""
    best, best_f1 = 0.0, -1.0
    for veto in CANDIDATE_VETOES:
        f1 = _f1((rule & (scores >= veto)) | (scores >= threshold), actual)
        if f1 > best_f1 + 1e-9:
            best, best_f1 = veto, f1
    return best


def choose_threshold(scores: np.ndarray, actual: np.ndarray, clean: np.ndarray) -> float:
    """The threshold with the best F1 among those that flag at most `CLEAN_BUDGET` of clean drafts."""
    best, best_f1 = float(CANDIDATE_THRESHOLDS[-1]), -1.0
    for threshold in CANDIDATE_THRESHOLDS:
        predicted = scores >= threshold
        if clean.any() and predicted[clean].mean() > CLEAN_BUDGET:
            continue
        f1 = _f1(predicted, actual)
        if f1 > best_f1:
            best, best_f1 = float(threshold), f1
    return best


class DraftModel:
    """Fitted per-category classifiers. `features(text)` gives the inputs for any text (a draft or
    one of its sentences); it comes from the reviewer, which owns the lexicon and the rules."""

    def __init__(self, encoder: Encoder, examples: Sequence[Example], categories: Sequence[str],
                 features: Callable[[list[str]], np.ndarray], rules_fired: Callable[[np.ndarray], np.ndarray],
                 layout: tuple[str, ...] = (), cache: bool = True) -> None:
        """`rules_fired(inputs)` says, from the feature rows, which categories' rules fired (one
        boolean column per category); `layout` names the feature columns beside the vector, so a
        changed lexicon or rule set is never read by a model fitted on another."""
        self.categories = tuple(categories)
        self.features = features
        texts = [e.text for e in examples]

        def fit() -> dict[str, np.ndarray]:
            inputs = features(texts)
            arrays: dict[str, np.ndarray] = {}
            clean = np.array([not e.labels for e in examples])
            fired = rules_fired(inputs)
            thresholds, vetoes = [], []
            for column, category in enumerate(self.categories):
                labels = [YES if category in e.labels else NO for e in examples]
                actual = np.array([label == YES for label in labels])
                scores = self._out_of_fold(inputs, labels)
                thresholds.append(choose_threshold(scores, actual, clean))
                vetoes.append(choose_veto(scores, actual, fired[:, column], thresholds[-1]))
                arrays.update(Softmax.fit(inputs, labels, PENALTY, balanced(labels)).arrays(category))
            return {**arrays, "thresholds": np.array(thresholds, dtype=np.float32),
                    "vetoes": np.array(vetoes, dtype=np.float32)}

        key = key_of(VERSION, layout, encoder.name, texts, [sorted(e.labels) for e in examples], self.categories,
                     CLEAN_BUDGET, PENALTY)
        arrays = cached_arrays("drafts", key, fit) if cache else fit()
        self._models = {c: Softmax.from_arrays((NO, YES), arrays, c) for c in self.categories}
        self.thresholds = dict(zip(self.categories, arrays["thresholds"].tolist()))
        self.vetoes = dict(zip(self.categories, arrays["vetoes"].tolist()))

    @staticmethod
    def _out_of_fold(inputs: np.ndarray, labels: list[str]) -> np.ndarray:
        """Each example's probability from a model fitted without it (folds by position)."""
        scores = np.zeros(len(labels), dtype=np.float32)
        folds = np.arange(len(labels)) % FOLDS
        for fold in range(FOLDS):
            train, test = folds != fold, folds == fold
            train_labels = [label for label, keep in zip(labels, train) if keep]
            if len(set(train_labels)) < 2:
                continue
            model = Softmax.fit(inputs[train], train_labels, PENALTY, balanced(train_labels))
            scores[test] = model.probabilities(inputs[test])[:, model.classes.index(YES)]
        return scores

    def read(self, inputs: np.ndarray, sentences: Sequence[tuple[int, int]]) -> list[Reading]:
        """Every category's reading of a draft. `inputs` holds the whole draft's features, then one
        row per sentence when there are several: the whole draft decides, the sentences say which
        words to quote."""
        readings = []
        for category, model in self._models.items():
            probabilities = model.probabilities(inputs)[:, model.classes.index(YES)]
            where = sentences[int(np.argmax(probabilities[1:]))] if len(probabilities) > 1 else sentences[0]
            readings.append(Reading(category, float(probabilities[0]), self.thresholds[category],
                                    self.vetoes[category], where))
        return readings
