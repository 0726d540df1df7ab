"""Logistic regression over sentence vectors, fitted in numpy when the content loads.

Written here rather than taken from scikit-learn: the models are a few hundred inputs and at most
forty classes, a fit is a hundred full-batch gradient steps (tens of milliseconds), and
scikit-learn with SciPy would add about 150 MB to every installation for it. The fit is
deterministic (zero start, fixed steps), so the same banks give the same model on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STEPS = 300
LEARNING_RATE = 0.5
#: L2 penalty: the banks are small beside the vector size, so the weights must stay modest.
PENALTY = 1e-3


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    return mean, np.where(scale > 1e-6, scale, 1.0)


@dataclass
class Softmax:
    """Multinomial logistic regression: `probabilities(x)` has one column per class in `classes`."""

    classes: tuple[str, ...]
    weights: np.ndarray
    bias: np.ndarray
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, x: np.ndarray, labels: list[str], penalty: float = PENALTY,
            weight: np.ndarray | None = None) -> "Softmax":
        """Fit by full-batch gradient descent with Nesterov momentum on standardised inputs.
        `weight` scales each example's share of the loss (class balance)."""
        classes = tuple(sorted(set(labels)))
        index = {c: i for i, c in enumerate(classes)}
        y = np.zeros((len(labels), len(classes)), dtype=np.float32)
        y[np.arange(len(labels)), [index[label] for label in labels]] = 1.0
        mean, scale = _standardise(x)
        z = ((x - mean) / scale).astype(np.float32)
        w = np.ones(len(labels), dtype=np.float32) if weight is None else weight.astype(np.float32)
        w = (w / w.sum())[:, None]
        weights = np.zeros((z.shape[1], len(classes)), dtype=np.float32)
        bias = np.zeros(len(classes), dtype=np.float32)
        velocity_w, velocity_b = np.zeros_like(weights), np.zeros_like(bias)
        for _ in range(STEPS):
            ahead_w, ahead_b = weights + 0.9 * velocity_w, bias + 0.9 * velocity_b
            error = (_softmax(z @ ahead_w + ahead_b) - y) * w
            velocity_w = 0.9 * velocity_w - LEARNING_RATE * (z.T @ error + penalty * ahead_w)
            velocity_b = 0.9 * velocity_b - LEARNING_RATE * error.sum(axis=0)
            weights, bias = weights + velocity_w, bias + velocity_b
        return cls(classes, weights, bias, mean, scale)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return _softmax(((x - self.mean) / self.scale) @ self.weights + self.bias)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}.{k}": v for k, v in (("weights", self.weights), ("bias", self.bias),
                                                  ("mean", self.mean), ("scale", self.scale))}

    @classmethod
    def from_arrays(cls, classes: tuple[str, ...], arrays: dict[str, np.ndarray], prefix: str) -> "Softmax":
        return cls(classes, *(arrays[f"{prefix}.{k}"] for k in ("weights", "bias", "mean", "scale")))


def balanced(labels: list[str]) -> np.ndarray:
    """Per-example weights that give every class the same total weight."""
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return np.array([1.0 / counts[label] for label in labels], dtype=np.float32)
