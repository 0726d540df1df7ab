"""The shipped content's fits ship with it, so nobody's first answer or review waits for a fit."""

from __future__ import annotations

import pytest

from bot.answer import Answerer
from bot.review.service import Reviewer
from bot.semantic import cache


def test_the_shipped_content_is_answered_and_reviewed_without_fitting(policy, tmp_path, monkeypatch):
    monkeypatch.setenv("SNP_CACHE_DIR", str(tmp_path / "empty-cache"))

    def no_fit(name, key, build):
        for folder in (cache.SHIPPED, cache.cache_dir()):
            if (folder / f"{name}-{key}.npz").exists():
                return real(name, key, build)
        pytest.fail(f"no shipped fit for {name}: run scripts/fit_models.py after editing policy_content/")

    real = cache.cached_arrays
    monkeypatch.setattr("bot.answer.semantic.cached_arrays", no_fit)
    monkeypatch.setattr("bot.review.semantic.cached_arrays", no_fit)
    from bot.review.lexicon import load_lexicon

    assert Answerer(policy).answer("Can I upload photos of colleagues taken at work?").in_scope
    assert Reviewer(policy, load_lexicon()).review("Mrs Patel in bed 4 has dementia").findings
    assert not (tmp_path / "empty-cache").exists()  # nothing was fitted, so nothing was cached
