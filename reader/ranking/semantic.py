"""An optional semantic backend: static word embeddings (model2vec) beside the terms.

With a model2vec model in a local folder (the `semantic_model` setting in the settings
file, or `READER_SEMANTIC_MODEL`) and the `semantic` extra installed
(`pip install 'papertriage[semantic]'`), each paper also gets a dense embedding of its
title and abstract, and similarity and the model use both: papers that say the same thing
in other words come closer. reader never downloads a model: a name that is not a folder
on this machine is refused in one line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import StoreError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

Embed = Callable[[Sequence[str]], "npt.NDArray[np.float32]"]
"""Unit-length embeddings of texts, one row each."""

SETTING = "semantic_model"
ENVIRONMENT = "READER_SEMANTIC_MODEL"


def configured(folder: Path) -> Path | None:
    """The model folder the user chose, or None (the default: terms only)."""
    from reader.settings import Settings

    name = os.environ.get(ENVIRONMENT) or Settings(folder).get(SETTING)
    if not name or not isinstance(name, str):
        return None
    return Path(name).expanduser()


def load(path: Path) -> Embed:
    """The embedding function of the model2vec model in the local folder `path`."""
    if not path.is_dir():
        raise StoreError(
            f"the semantic model {path} is not a folder on this machine"
            " (reader never downloads one; see README: For you)"
        )
    try:
        from model2vec import StaticModel
    except ImportError:
        raise StoreError(
            "the semantic model needs the `semantic` extra: pip install 'papertriage[semantic]'"
        ) from None
    try:
        # A folder that exists is read from disk; nothing is fetched.
        model = StaticModel.from_pretrained(path, force_download=False)
    except (OSError, ValueError, KeyError) as error:
        raise StoreError(f"the semantic model {path} cannot be loaded: {error}") from None

    def embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        import numpy as np

        vectors = np.asarray(model.encode(list(texts), use_multiprocessing=False), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return np.asarray(vectors / norms, dtype=np.float32)

    return embed
