"""The numpy logistic regression the semantic models are fitted with."""

from __future__ import annotations

import numpy as np

from bot.semantic.linear import Softmax, balanced


def test_it_separates_what_can_be_separated_and_gives_probabilities():
    rng = np.random.default_rng(1)
    x = np.vstack([rng.normal(-2, 1, (60, 5)), rng.normal(2, 1, (60, 5))])
    labels = ["a"] * 60 + ["b"] * 60
    model = Softmax.fit(x, labels)
    p = model.probabilities(x)
    assert np.allclose(p.sum(axis=1), 1.0)
    predicted = [model.classes[i] for i in p.argmax(axis=1)]
    assert sum(a == b for a, b in zip(predicted, labels)) >= 114


def test_a_fit_is_the_same_every_time_and_survives_being_stored():
    rng = np.random.default_rng(2)
    x, labels = rng.normal(size=(40, 3)), ["x", "y"] * 20
    first, second = Softmax.fit(x, labels), Softmax.fit(x, labels)
    assert np.array_equal(first.weights, second.weights)
    restored = Softmax.from_arrays(first.classes, first.arrays("m"), "m")
    assert np.array_equal(restored.probabilities(x), first.probabilities(x))


def test_balanced_weights_give_every_class_the_same_total():
    weights = balanced(["a", "a", "a", "b"])
    assert weights[:3].sum() == weights[3]
