"""The words generated papers are made of, ranked for Zipf-like sampling.

A few dozen English function words, a few hundred real machine-learning words and phrases,
and a few thousand pronounceable pseudo-words (the long tail: names, acronyms, rare terms).
Nothing here depends on a seed: the vocabulary and its ranks are the same on every run.

Sampling uses a 65,536-slot table in which the word of rank r fills a share of slots
proportional to 1/r; indexing it with random 16-bit numbers draws words without any
Python code per word.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import cache

TABLE_BITS = 16
TABLE_SIZE = 1 << TABLE_BITS

_FUNCTION_WORDS_TEXT = """
the of and to a in we for is that with on by as our this are from an be which can these it
its at or not both such while than more also has have their into through when how over
between across without under only each most then where however but two show all well further
based using via
"""

_ML_WORDS_TEXT = """
model learning language data training neural network performance method tasks large
generation image video reasoning diffusion attention transformer benchmark dataset approach
results framework representation inference agents multimodal vision text policy reward
reinforcement optimization loss gradient sparse dense causal latent embedding retrieval
alignment fine-tuning pretraining evaluation robust efficient scalable adaptive
generalization zero-shot few-shot supervised unsupervised self-supervised contrastive
generative autoregressive token layer architecture parameters scaling compute memory context
long-context prompt instruction chain-of-thought mathematical code agent planning robot
manipulation navigation 3D scene point cloud segmentation detection tracking depth
estimation motion forecasting audio speech music graph node temporal spatial sequence state
space Mamba recurrent convolutional kernel quantization pruning distillation compression
acceleration hardware GPU throughput latency decoding speculative sampling noise denoising
score flow matching consistency editing synthesis rendering Gaussian splatting radiance
field avatar face human pose body hand object interaction world simulation physics
environment exploration curriculum feedback preference RLHF DPO safety jailbreak adversarial
attack defense privacy federated fairness bias interpretability mechanistic circuits
features probing steering activation neurons uncertainty calibration hallucination
factuality knowledge question answering summarization translation multilingual low-resource
medical clinical molecular protein chemistry materials weather climate financial legal
education recommendation search ranking query document table chart visual pixel resolution
super-resolution compositional controllable conditional guidance classifier-free prior
posterior variational Bayesian probabilistic stochastic theoretical analysis convergence
bound regret complexity algorithm solver dynamic programming tree Monte Carlo evolutionary
meta-learning continual transfer domain adaptation shift distribution out-of-distribution
invariant counterfactual intervention discovery structure identification mixture experts
routing ensemble benchmarking leaderboard open-source multi-agent collaboration tool API web
browser GUI embodied egocentric streaming real-time online offline trajectory action VLA
driving autonomous LiDAR sensor fusion SLAM mapping semantic instance panoptic
open-vocabulary grounding captioning VQA OCR layout handwriting sketch style texture
material lighting relighting inverse geometry mesh implicit surface reconstruction stereo
optical event camera satellite remote sensing hyperspectral spectral frequency wavelet
Fourier transformers encoder decoder backbone head projection normalization regularization
dropout initialization hyperparameter schedule warmup momentum optimizer Adam stability
divergence collapse emergent abilities capabilities limitations failure modes evaluation
protocol human annotators crowdsourcing synthetic curation filtering deduplication
contamination memorization forgetting unlearning editing watermarking detection provenance
copyright licensing efficiency sustainability carbon energy
"""

FUNCTION_WORDS = tuple(_FUNCTION_WORDS_TEXT.split())
"""The most frequent words of English abstracts, most frequent first."""

ML_WORDS = tuple(_ML_WORDS_TEXT.split())
"""Real words of machine-learning abstracts, roughly most frequent first."""

ML_PHRASES = (
    "language model",
    "large language models",
    "neural network",
    "reinforcement learning",
    "diffusion model",
    "vision transformer",
    "state of the art",
    "in-context learning",
    "reward model",
    "knowledge graph",
    "mixture of experts",
    "graph neural network",
    "vision-language model",
    "text-to-image generation",
    "world model",
    "scaling laws",
    "preference optimization",
    "test-time compute",
    "retrieval-augmented generation",
    "sparse autoencoder",
)
"""Phrases that papers repeat verbatim; each counts as one vocabulary entry."""

ORGANIZATIONS = (
    ("sony", "Sony"),
    ("opendatalab", "OpenDataLab"),
    ("google", "Google"),
    ("facebook", "AI at Meta"),
    ("microsoft", "Microsoft"),
    ("nvidia", "NVIDIA"),
    ("allenai", "Ai2"),
    ("Qwen", "Qwen"),
    ("deepseek-ai", "DeepSeek"),
    ("OpenGVLab", "OpenGVLab"),
    ("ByteDance-Seed", "ByteDance Seed"),
    ("tencent", "Tencent"),
    ("mistralai", "Mistral AI"),
    ("apple", "Apple"),
    ("ibm-granite", "IBM Granite"),
    ("mit-han-lab", "MIT HAN Lab"),
    ("alibaba-damo", "Alibaba DAMO Academy"),
    ("OpenCausaLab", ""),
)
"""(handle, display name) of organization lines; an empty display name shows the handle only."""

CONNECTORS = ("for", "with", "via", "in", "of", "and", "from", "on", "through", "towards")
"""Short words that join a title's content words."""

OPENERS = (
    "We propose",
    "In this work, we study",
    "This paper presents",
    "Recent advances in",
    "We introduce",
    "Existing methods for",
    "We revisit",
    "Despite the success of",
)
"""How abstracts start."""


_ONSETS_TEXT = "b c d f g h j k l m n p r s t v w z br cl dr fl gr kr pl pr sk st tr ch sh th"
_VOWELS_TEXT = "a e i o u ai au ea ei ia io ou"
_CODAS = ("", "", "", "n", "r", "s", "l", "m", "x", "t", "nd", "st")


@cache
def pseudo_words(count: int = 3_600) -> tuple[str, ...]:
    """`count` distinct pronounceable pseudo-words, the same on every run."""
    onsets = _ONSETS_TEXT.split()
    vowels = _VOWELS_TEXT.split()
    rng = random.Random(20_250_612)
    real = {word.lower() for word in (*FUNCTION_WORDS, *ML_WORDS)}
    found: dict[str, None] = {}
    while len(found) < count:
        syllables = rng.choice((1, 2, 2, 2, 3, 3))
        word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables))
        word += rng.choice(_CODAS)
        if word not in real:
            found[word] = None
    return tuple(found)


@cache
def vocabulary() -> tuple[str, ...]:
    """Every word and phrase of abstracts, most frequent first (rank 1 = weight 1)."""
    content = tuple(dict.fromkeys((*ML_WORDS, *ML_PHRASES)))
    pseudo = pseudo_words()
    ranked: list[str] = list(FUNCTION_WORDS)
    # Real words sit between pseudo-words of similar rank, so that every frequency band
    # has real words a benchmark can query for.
    for index in range(max(len(content), len(pseudo))):
        if index < len(content):
            ranked.append(content[index])
        if index < len(pseudo):
            ranked.append(pseudo[index])
    return tuple(dict.fromkeys(ranked))


@cache
def title_vocabulary() -> tuple[str, ...]:
    """The vocabulary of titles: the abstracts' without the function words."""
    function = set(FUNCTION_WORDS)
    return tuple(word for word in vocabulary() if word not in function)


def zipf_table(words: Sequence[str]) -> tuple[str, ...]:
    """A 65,536-slot sampling table: word of rank r fills a share ~ 1/r (at least one slot)."""
    weights = [1.0 / rank for rank in range(1, len(words) + 1)]
    scale = TABLE_SIZE / sum(weights)
    counts = [max(1, round(weight * scale)) for weight in weights]
    counts[0] -= sum(counts) - TABLE_SIZE  # rounding slack goes to the most common word
    table: list[str] = []
    for word, count in zip(words, counts, strict=True):
        table.extend([word] * count)
    return tuple(table)


@cache
def abstract_table() -> tuple[str, ...]:
    """The sampling table of abstract words."""
    return zipf_table(vocabulary())


@cache
def title_table() -> tuple[str, ...]:
    """The sampling table of title words (title-cased)."""
    return zipf_table([word.title() for word in title_vocabulary()])


def word_share(word: str) -> float:
    """The probability that one sampled abstract word is `word`."""
    return abstract_table().count(word) / TABLE_SIZE


def mean_word_length() -> float:
    """Mean length of a sampled abstract word, with its following space."""
    table = abstract_table()
    return sum(map(len, table)) / len(table) + 1
