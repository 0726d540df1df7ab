"""Fit the answerer's and the reviewer's models for the shipped policy content, into bot/semantic/fitted/.

Run after editing `policy_content/` (its banks, guidance or review lists) or the sentence model:

    .venv/bin/python scripts/fit_models.py

Fits that no longer match the content are removed. `tests/bot/semantic/test_shipped_fits.py`
fails while the shipped fits are out of date.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from bot.semantic.cache import SHIPPED

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["SNP_CACHE_DIR"] = scratch  # fit afresh, whatever the user's cache holds
        from bot.answer import Answerer
        from bot.policy.loader import load_policy
        from bot.review.lexicon import load_lexicon
        from bot.review.service import Reviewer

        for old in SHIPPED.glob("*.npz"):
            old.unlink()
        policy = load_policy()
        Answerer(policy)
        Reviewer(policy, load_lexicon())
        SHIPPED.mkdir(exist_ok=True)
        for fitted in Path(scratch).glob("*.npz"):
            (SHIPPED / fitted.name).write_bytes(fitted.read_bytes())
            print(f"wrote {SHIPPED / fitted.name} ({fitted.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
