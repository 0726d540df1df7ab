"""Fitted models are reused only for exactly what they were fitted on."""

from __future__ import annotations

import numpy as np

from bot.semantic.cache import cached_arrays, key_of
from bot.semantic.encoder import load_encoder


def test_a_fit_is_reused_from_disk_and_a_changed_key_fits_again(tmp_path, monkeypatch):
    monkeypatch.setenv("SNP_CACHE_DIR", str(tmp_path))
    calls = []

    def fit():
        calls.append(1)
        return {"w": np.arange(3.0)}

    assert cached_arrays("m", key_of("bank", 1), fit)["w"].tolist() == [0, 1, 2]
    assert cached_arrays("m", key_of("bank", 1), fit)["w"].tolist() == [0, 1, 2]
    cached_arrays("m", key_of("bank", 2), fit)
    assert len(calls) == 2


def test_an_unwritable_cache_still_gives_the_fit(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("SNP_CACHE_DIR", str(blocked / "cache"))
    assert cached_arrays("m", "k", lambda: {"w": np.ones(2)})["w"].tolist() == [1, 1]


def test_the_encoder_name_carries_its_weights_so_new_weights_never_read_an_old_fit():
    encoder = load_encoder()
    assert encoder.name.startswith("minilm-static-") and len(encoder.name) > len("minilm-static-")
    vectors = encoder.encode(["can I post photos of my team", "how do I reset my password"])
    assert vectors.shape == (2, 256)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
