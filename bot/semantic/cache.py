"""Fitted models kept on disk between runs, keyed by everything that went into the fit.

Fitting at start-up costs a few hundred milliseconds, which `snp-bot ask` would pay on every
call; the cache makes it once per content change. The key is a hash of the encoder, the example
texts and labels and the fitting code's version, so an edited bank or a new organisation's folder
is never answered from a stale model. A cache that cannot be written is not an error: the model
is then fitted in memory each time.

The fits of the shipped content ship too (`bot/semantic/fitted/`, written by
`scripts/fit_models.py`), so a fresh installation, a server's worker processes and a test's empty
home folder start without fitting; another organisation's content is fitted once, then cached.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import structlog

log = structlog.get_logger(__name__)
#: The fits of the shipped content, looked up before the cache.
SHIPPED = Path(__file__).parent / "fitted"


def cache_dir() -> Path:
    configured = os.environ.get("SNP_CACHE_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("snp-bot", appauthor=False))


def key_of(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def cached_arrays(name: str, key: str, build: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The arrays saved under `name-key`, or `build()`'s, saved for next time when possible."""
    path = cache_dir() / f"{name}-{key}.npz"
    for stored_at in (SHIPPED / path.name, path):
        try:
            with np.load(stored_at, allow_pickle=False) as stored:
                return {k: stored[k] for k in stored.files}
        except (OSError, ValueError, EOFError):
            pass
    arrays = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(buffer.getvalue())
        os.replace(partial, path)
    except OSError as exc:
        log.info("fitted_model_not_cached", path=str(path), error=str(exc))
    return arrays
