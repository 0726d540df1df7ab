"""Reviewer figures: throughput on a set of drafts, p99 on 2,000-character drafts, time on a
40,000-character draft (Slack's longest message), and on adversarial inputs.

    python benchmarks/review_bench.py [--drafts FILE.jsonl] [--rounds 20]

FILE.jsonl holds {"text": …} objects, one a line (default: the development set beside the
repository, ../shared/eval/drafts_dev.jsonl). Long drafts are made by joining drafts of the set.
Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DRAFTS = ROOT.parent / "shared" / "eval" / "drafts_dev.jsonl"
ADVERSARIAL = {
    "digits and spaces": "1 " * 20_000, "one long number": "0" * 40_000, "at signs": "a@" * 20_000,
    "bed bed bed": "bed " * 10_000, "titles": "Mrs " * 10_000, "emoji": "😂" * 20_000,
    "org and negation": "the CCG is not " * 2_600, "full stops": ". " * 20_000,
    "quotes": "'a' " * 10_000, "postcodes": "BL1 " * 10_000,
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def joined(drafts: list[str], length: int, offset: int = 0) -> str:
    """Drafts of the set joined into one text of exactly `length` characters."""
    text, i = "", offset
    while len(text) < length:
        text += drafts[i % len(drafts)] + "\n"
        i += 1
    return text[:length]


def timed(review, text: str) -> float:
    start = time.perf_counter()
    review(text)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drafts", type=Path, default=DEFAULT_DRAFTS)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    if not args.drafts.exists():
        sys.exit(f"no draft file at {args.drafts}; pass --drafts FILE.jsonl")
    drafts = [json.loads(line)["text"] for line in args.drafts.open(encoding="utf-8") if line.strip()]
    sys.path.insert(0, str(ROOT))
    from bot.core import Core

    review = Core.from_settings().reviewer.review
    review(drafts[0])
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, {len(drafts)} drafts from {args.drafts}")

    start = time.perf_counter()
    for _ in range(args.rounds):
        for draft in drafts:
            review(draft)
    seconds = time.perf_counter() - start
    print(f"throughput: {args.rounds * len(drafts) / seconds:.0f} drafts/s "
          f"({args.rounds} rounds of {len(drafts)}, one process, one thread)")

    long = [timed(review, joined(drafts, 2_000, offset=i)) for i in range(200)]
    print(f"2,000-character drafts (200): p50 {percentile(long, 50):.2f} ms  p99 {percentile(long, 99):.2f} ms")

    longest = [timed(review, joined(drafts, 40_000, offset=i)) for i in range(5)]
    print(f"40,000-character draft (5 runs): median {percentile(longest, 50):.1f} ms  max {max(longest):.1f} ms")

    worst = {name: max(timed(review, text) for _ in range(3)) for name, text in ADVERSARIAL.items()}
    print("adversarial 40,000-character inputs (worst of 3): "
          + ", ".join(f"{name} {ms:.0f} ms" for name, ms in worst.items()))


if __name__ == "__main__":
    main()
