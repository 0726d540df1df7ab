"""Turn sentences into vectors that are close when their meanings are, with no network and no PyTorch.

The shipped encoder is a static model (one vector per word piece, averaged): all-MiniLM-L6-v2
distilled once by `scripts/build_static_model.py` with model2vec, its weights in
`bot/semantic/model/`. A sentence costs a tokenisation and a mean, tens of microseconds, which keeps
answers and reviews inside Slack's 3 seconds on any paste. `benchmarks/encoders.py` measures it
beside the other candidates (`wordllama`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

MODEL_DIR = Path(__file__).parent / "model"


class Encoder(Protocol):
    #: Names the model and its weights (a hash of them), so fitted models are never reused across weights.
    name: str

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit-length float32 row per text."""


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


class StaticEncoder:
    """A model2vec static model from a folder (`model.safetensors`, `tokenizer.json`, `config.json`)."""

    def __init__(self, folder: Path = MODEL_DIR, name: str = "minilm-static") -> None:
        # The files are read here rather than by StaticModel.from_pretrained, which imports the
        # model hub's client (a third of a second of every `snp-bot ask`) to read the same files.
        import hashlib
        import json

        from model2vec import StaticModel
        from safetensors.numpy import load
        from tokenizers import Tokenizer

        weights = (folder / "model.safetensors").read_bytes()
        self.name = f"{name}-{hashlib.sha256(weights).hexdigest()[:16]}"
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self._model = StaticModel(
            vectors=load(weights)["embeddings"],
            tokenizer=Tokenizer.from_file(str(folder / "tokenizer.json")),
            config=config, normalize=config.get("normalize", True), max_length=config.get("max_length", 512))

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._model.dim), dtype=np.float32)
        return _unit(self._model.encode(list(texts), show_progress_bar=False))


class WordLlamaEncoder:
    """wordllama's static embeddings; its wheel (0.3.x) carries the weights and the tokenizer, which
    load from the package folder with downloads disabled."""

    def __init__(self, dims: int = 256) -> None:
        import wordllama
        from wordllama import WordLlama

        self.name = f"wordllama-{wordllama.__version__ if hasattr(wordllama, '__version__') else '0.3'}-{dims}"
        self._model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True,
                                     trunc_dim=dims)

    def encode(self, texts: list[str]) -> np.ndarray:
        return _unit(self._model.embed(list(texts))) if texts else np.zeros((0, 1), dtype=np.float32)


@lru_cache(maxsize=2)
def load_encoder(name: str = "minilm-static") -> Encoder:
    """The encoder by name; one per process, since loading it is the expensive part."""
    if name == "minilm-static":
        return StaticEncoder()
    if name.startswith("wordllama"):
        try:
            return WordLlamaEncoder(int(name.partition("-")[2] or 256))
        except ImportError:
            from bot.config import ConfigurationError

            raise ConfigurationError(f"SNP_ENCODER={name}: wordllama is not installed (pip install 'wordllama==0.3.9')") from None
    folder = Path(name)
    if folder.is_dir():
        return StaticEncoder(folder, name=folder.name)
    from bot.config import ConfigurationError

    raise ConfigurationError(f"SNP_ENCODER={name!r}: not an encoder (minilm-static, wordllama-256, or a model folder)")
