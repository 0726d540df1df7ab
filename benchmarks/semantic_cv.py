"""Cross-validation of the answerer and the reviewer on the example banks of policy_content/examples.

Each bank is split into K folds; the models are fitted on K-1 of them (the clauses' guidance and the
review rules stay as shipped) and the left-out fold is answered or reviewed through the product's
own `Answerer` and `Reviewer`. A question counts as right at top-1 when the first clause cited is
the bank's clause (the banks give one clause per question, so this is stricter than the evaluation
sets, which accept every right first citation).

    python benchmarks/semantic_cv.py [--folds 5] [--encoder minilm-static|wordllama-256|DIR]
                                     [--only questions|drafts] [--rules-only]

`--rules-only` reviews with the rules alone (no classifier), the figures before the semantic layer.
Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.answer.service import Answerer  # noqa: E402
from bot.policy.examples import Example, load_drafts, load_questions  # noqa: E402
from bot.policy.loader import load_policy  # noqa: E402
from bot.review.lexicon import load_lexicon  # noqa: E402
from bot.review.models import CATEGORIES  # noqa: E402
from bot.review.service import Reviewer  # noqa: E402
from bot.semantic.encoder import load_encoder  # noqa: E402


def folds(examples: list[Example], k: int) -> list[tuple[list[Example], list[Example]]]:
    shuffled = list(examples)
    random.Random(0).shuffle(shuffled)
    return [([e for i, e in enumerate(shuffled) if i % k != f], shuffled[f::k]) for f in range(k)]


def questions(k: int, encoder_name: str) -> None:
    policy, encoder = load_policy(), load_encoder(encoder_name)
    bank = list(load_questions({c.id for c in policy.clauses}))
    top1 = top3 = asked = declined = out = abstained = 0
    started = time.perf_counter()
    for train, test in folds(bank, k):
        answerer = Answerer(policy, examples=train, encoder=encoder, cache=False)
        for example in test:
            answer = answerer.answer(example.text)
            cited = [c.clause for c in answer.citations]
            if not example.labels:
                out += 1
                abstained += not answer.in_scope
                continue
            asked += 1
            declined += not answer.in_scope
            top1 += bool(cited) and cited[0] in example.labels
            top3 += bool(set(cited[:3]) & example.labels)
    print(f"questions ({encoder.name}, {k}-fold, {len(bank)} examples, {time.perf_counter() - started:.0f} s): "
          f"top-1 {top1 / asked:.3f}  top-3 {top3 / asked:.3f}  in scope declined {declined / asked:.3f}  "
          f"out-of-scope abstention {abstained / out:.3f} ({asked} in scope, {out} out)")


class RulesOnly(Reviewer):
    """The reviewer without its classifiers: what the rules alone find."""

    def __init__(self, policy, lexicon) -> None:  # noqa: ANN001 - a benchmark's stand-in
        self.policy, self.lexicon = policy, lexicon

    def _combined(self, draft, hits):  # noqa: ANN001, ANN202
        return hits


def drafts(k: int, encoder_name: str, rules_only: bool) -> None:
    policy, lexicon, encoder = load_policy(), load_lexicon(), load_encoder(encoder_name)
    bank = list(load_drafts(set(CATEGORIES)))
    counts = {c: [0, 0, 0] for c in CATEGORIES}  # true positives, false positives, false negatives
    clean = flagged = 0
    started = time.perf_counter()
    for train, test in folds(bank, k):
        reviewer = RulesOnly(policy, lexicon) if rules_only else Reviewer(
            policy, lexicon, examples=train, encoder=encoder, cache=False)
        for example in test:
            found = {f.category for f in reviewer.review(example.text).findings}
            if not example.labels:
                clean += 1
                flagged += bool(found)
            for category in CATEGORIES:
                actual, predicted = category in example.labels, category in found
                counts[category][0] += actual and predicted
                counts[category][1] += predicted and not actual
                counts[category][2] += actual and not predicted
    f1 = {c: 2 * tp / max(1, 2 * tp + fp + fn) for c, (tp, fp, fn) in counts.items()}
    recall = {c: tp / max(1, tp + fn) for c, (tp, fp, fn) in counts.items()}
    label = "rules only" if rules_only else encoder.name
    print(f"drafts ({label}, {k}-fold, {len(bank)} examples, {time.perf_counter() - started:.0f} s): "
          f"macro-F1 {sum(f1.values()) / len(f1):.3f}  clean drafts flagged {flagged / clean:.3f} ({clean} clean)")
    for category in CATEGORIES:
        print(f"  {category:18} F1 {f1[category]:.2f}  recall {recall[category]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--encoder", default="minilm-static")
    parser.add_argument("--only", choices=["questions", "drafts"])
    parser.add_argument("--rules-only", action="store_true")
    args = parser.parse_args()
    if args.only != "drafts":
        questions(args.folds, args.encoder)
    if args.only != "questions":
        drafts(args.folds, args.encoder, args.rules_only)


if __name__ == "__main__":
    main()
