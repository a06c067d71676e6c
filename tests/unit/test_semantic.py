"""The optional semantic backend (model2vec), with a tiny model the test builds itself:
papers that share no word but say the same thing come together, and nothing is ever
downloaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reader.errors import ReaderError
from reader.library import Library
from reader.model import Incoming, Paper
from reader.settings import Settings

pytest.importorskip("model2vec")
pytest.importorskip("tokenizers")

GRAPHS = ["graph", "network", "node", "edge", "vertex", "neighbour"]
NUMBERS = ["prime", "sieve", "modular", "lattice", "divisor", "congruence"]


def tiny_model(folder: Path) -> Path:
    """A model2vec model of 12 words in two topics: every word of a topic points one way."""
    from model2vec import StaticModel
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    words = ["[PAD]", "[UNK]", *GRAPHS, *NUMBERS]
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, "[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    vectors = np.zeros((len(words), 4), dtype=np.float32)
    vectors[2 : 2 + len(GRAPHS), 0] = 1.0
    vectors[2 + len(GRAPHS) :, 1] = 1.0
    StaticModel(vectors, tokenizer, normalize=True).save_pretrained(str(folder))
    return folder


def papers() -> list[Incoming]:
    def paper(key: str, title: str, abstract: str) -> Incoming:
        return Incoming(Paper(key=key, title=title, abstract=abstract))

    return [
        paper("g1", "Graph network", "A network of each node and edge."),
        paper("g2", "Vertex neighbour", "On a vertex and its neighbour."),  # no word shared
        paper("n1", "Prime sieve", "A sieve for each prime."),
        paper("n2", "Modular lattice", "On a lattice of divisor congruence."),
        paper("x1", "Weather", "Rain and wind and clouds over the sea."),
    ]


def test_semantic_similarity_finds_papers_that_share_no_word(tmp_path: Path):
    folder = tmp_path / "library"
    with Library(folder) as library:
        library.import_papers(papers())
        # Terms only (the default): nothing shares a word with g1.
        assert "g2" not in library.keys("similar:g1", "similar")
    Settings(folder).set("semantic_model", str(tiny_model(tmp_path / "model")))
    with Library(folder) as library:
        found = library.keys("similar:g1", "similar")
        assert found[0] == "g2"
        assert set(found) == {"g2"}  # the other topic and the weather share nothing
        library.set_starred(["n1"], True)
        # The other number-theory paper comes right after, though it shares no word.
        assert set(library.keys("", "relevance")[:2]) == {"n1", "n2"}


def test_a_model_that_is_not_a_local_folder_is_refused_never_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("tried to download")

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "snapshot_download", no_network)
    monkeypatch.setenv("READER_SEMANTIC_MODEL", "minishlab/potion-base-8M")
    with Library(tmp_path / "library") as library:
        library.import_papers(papers())
        with pytest.raises(ReaderError) as raised:
            library.keys("similar:g1", "similar")
        assert "is not a folder on this machine" in str(raised.value)
        assert "never downloads" in str(raised.value)
