"""Optional sentence encoder for the bot's matcher (the ``semantic`` extra).

The lexical matcher finds nothing for a colloquial question that shares no word with the
entry ("do u take amex" for "which cards are accepted"). A static word-embedding model
(WordLlama ``l2_supercat``, 256 dimensions: token embeddings averaged, no network) scores
such a question against every phrasing in well under a millisecond, and its weights and
tokenizer ship *inside* the PyPI wheel, so nothing is downloaded at run time.

It is an extra, chosen explicitly: ``pip install -r requirements-semantic.txt`` (numpy,
tokenizers, safetensors; ~19 MB wheel) and ``PARLEY_BOT_ENCODER=wordllama``. Otherwise
:func:`load` returns None and the matcher is purely lexical, as before. It is not the
default because on businesses it was never tuned on it answers more questions right *and*
more wrong (docs/bot.md, "Semantic matching"): a site chooses that trade.

The domain sees only the small interface below (``index`` / ``scores``); no numpy there.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Optional, Sequence

log = logging.getLogger(__name__)

_LOCK = threading.Lock()
_LOADED: dict = {}


class GroupIndex:
    """Unit vectors of every text of every group, and where each group starts."""

    def __init__(self, matrix, starts, sizes):
        self.matrix = matrix
        self.starts = starts
        self.sizes = sizes


class WordLlamaEncoder:
    """``index(groups)`` once per KB version; ``scores(index, text)`` per query: for each
    group, the best cosine similarity between the text and one of the group's texts."""

    name = "wordllama-l2_supercat-256"

    def __init__(self, model):
        import numpy as np
        self._np = np
        self._model = model

    def _embed(self, texts: Sequence[str]):
        np = self._np
        if not texts:
            return np.zeros((0, 256), dtype=np.float32)
        v = self._model.embed(list(texts), norm=True)
        return np.nan_to_num(v.astype(np.float32, copy=False))

    def index(self, groups: Sequence[Sequence[str]]) -> GroupIndex:
        np = self._np
        flat = [t for g in groups for t in g]
        sizes = [len(g) for g in groups]
        starts = np.cumsum([0] + sizes[:-1]).astype(np.int64) if sizes else np.zeros(0, np.int64)
        return GroupIndex(self._embed(flat), starts, np.array(sizes, dtype=np.int64))

    def scores(self, index: GroupIndex, text: str,
               skip: Optional[tuple[int, int]] = None) -> list[float]:
        """Best similarity per group; ``skip=(group, position)`` leaves one text out (the
        held-out phrasing of the calibration's leave-one-out)."""
        np = self._np
        if not len(index.sizes):
            return []
        sims = index.matrix @ self._embed([text])[0]
        if skip is not None:
            sims = sims.copy()
            sims[int(index.starts[skip[0]]) + skip[1]] = -1.0
        out = np.full(len(index.sizes), -1.0, dtype=np.float32)
        nonempty = index.sizes > 0
        out[nonempty] = np.maximum.reduceat(sims, index.starts[nonempty])
        return out.tolist()


def load(force: bool = False) -> Optional[WordLlamaEncoder]:
    """The encoder when it is chosen (``PARLEY_BOT_ENCODER=wordllama``, or ``force``) and
    installed; else None. Loaded once per process (0.15 s, 16 MB of weights)."""
    if not force and os.environ.get("PARLEY_BOT_ENCODER", "").lower() != "wordllama":
        return None
    with _LOCK:
        if "encoder" in _LOADED:
            return _LOADED["encoder"]
        enc = None
        try:
            import wordllama
            from wordllama import WordLlama
            # the wheel carries the weights and the tokenizer; pointing the "cache" at the
            # package makes the loader find both there (it would otherwise look for the
            # tokenizer under a directory name the wheel does not use and go to the network)
            model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent,
                                   disable_download=True)
            enc = WordLlamaEncoder(model)
        except ImportError:
            log.warning('{"event": "bot_encoder_unavailable", "error": "not installed"}')
        except Exception as exc:  # installed but broken: lexical only, say so
            log.warning('{"event": "bot_encoder_unavailable", "error": "%s"}',
                        type(exc).__name__)
        _LOADED["encoder"] = enc
        return enc
