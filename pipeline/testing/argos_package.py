"""Build genuine argostranslate packages on the fly, for tests and benchmarks.

No model can be downloaded here, so tests make their own: a SentencePiece model trained on
synthetic multilingual text, a CTranslate2 Transformer saved from ``ctranslate2.specs`` with
seeded random weights, and ``metadata.json``, zipped as an ``.argosmodel`` exactly like the
packages of the Argos index (one top-level directory). argostranslate recognises the result
as an installed package, and the pipeline's engine translates with it.

The weights are random, so translations are gibberish, but the CPU cost is that of a real
model of the same size. End-of-sentence (and ``<s>``/``<unk>``) are made impossible to emit,
so every decode runs to the caller's length cap: always cap the decoding length.

Typical test use (see ``tests/test_engine_argos.py``)::

    path = build_package(tmp_path, "pt", "en", seed=1)
    info = install_package(path, tmp_path / "packages")
"""

from __future__ import annotations

import io
import itertools
import json
import random
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import sentencepiece as spm

from pipeline.engines.argos import PackageInfo, install_file

if TYPE_CHECKING:
    from ctranslate2.specs import TransformerSpec

__all__ = [
    "SIZES",
    "ModelSize",
    "build_ct2_dir",
    "build_package",
    "install_package",
    "learn_bpe",
    "synthetic_lines",
]


@dataclass(frozen=True)
class ModelSize:
    """Transformer dimensions and tokenizer/corpus sizes of one builder size."""

    layers: int
    d_model: int
    heads: int
    ffn: int
    vocab: int
    lexicon_words: int
    lines: int
    quantization: str | None


SIZES: dict[str, ModelSize] = {
    # Builds in ~0.15 s (0.9 MB); for unit tests.
    "tiny": ModelSize(2, 64, 4, 128, 256, 600, 400, None),
    # Transformer-base, int8 like the Argos index packages (~5 s, 49 MB): realistic CPU cost.
    "base": ModelSize(6, 512, 8, 2048, 8000, 40000, 30000, "int8"),
}

_LANGUAGE_NAMES = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "zh": "Chinese",
}

# Syllable parts ("" where a part may be absent), a few Cyrillic among the Latin.
_ONSETS = (
    "",
    "",
    *"b c d f g h k l m n p r s t v w z ch sch lh nh qu pr st tr gr pl ж к м н с".split(),
)
_NUCLEI = tuple("a e i o u a e o ã õ é ê á ó í ü ö ä ie ei ou au ão а о и е".split())
_CODAS = ("", "", "", *"n r s l m t ß ç x nd ng".split())
_PUNCTUATION = (".", ".", ".", "?", "!", ":", ";", "…")
_SPECIAL_TOKENS = ("<unk>", "<s>", "</s>")


def _word(rng: random.Random) -> str:
    return "".join(
        rng.choice(_ONSETS) + rng.choice(_NUCLEI) + rng.choice(_CODAS)
        for _ in range(rng.randint(1, 3))
    )


def synthetic_lines(seed: int, lexicon_words: int, lines: int) -> list[str]:
    """Deterministic multilingual-looking sentences for training the tokenizer.

    >>> synthetic_lines(0, 50, 3) == synthetic_lines(0, 50, 3)
    True
    >>> len(synthetic_lines(0, 50, 3))
    3
    """
    rng = random.Random(seed)
    lexicon = sorted({_word(rng) for _ in range(lexicon_words)})
    # Zipf-like frequencies, as in real text.
    weights = [1.0 / (rank + 1) for rank in range(len(lexicon))]
    rng.shuffle(weights)
    cumulative = list(itertools.accumulate(weights))
    out = []
    for _ in range(lines):
        words = rng.choices(lexicon, cum_weights=cumulative, k=rng.randint(4, 18))
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), str(rng.randint(1, 2025)))
        if rng.random() < 0.3:
            words[rng.randrange(len(words))] += ","
        if rng.random() < 0.1:
            position = rng.randrange(len(words))
            words[position] = f"«{words[position]}»"
        out.append(" ".join(words).capitalize() + rng.choice(_PUNCTUATION))
    return out


def _train_sentencepiece(lines: list[str], vocab_size: int, user_symbols: list[str]) -> bytes:
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        model_type="unigram",
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # a small training text may not support the full vocab
        character_coverage=0.9995,
        user_defined_symbols=user_symbols,
        num_threads=2,
        minloglevel=2,
    )
    return model.getvalue()


def _vocabulary(model_proto: bytes) -> list[str]:
    processor = spm.SentencePieceProcessor(model_proto=model_proto)
    vocab = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    if vocab[:3] != list(_SPECIAL_TOKENS):
        raise AssertionError(f"unexpected SentencePiece special pieces: {vocab[:3]}")
    return vocab


def _transformer_spec_class() -> type[TransformerSpec]:
    """Import ``ctranslate2.specs`` without the torch it would load (1.5 s) and not need."""
    block_torch = "torch" not in sys.modules
    if block_torch:
        sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` fail
    try:
        from ctranslate2.specs import TransformerSpec
    finally:
        if block_torch:
            del sys.modules["torch"]
    return TransformerSpec


def _transformer_spec(
    size: ModelSize, vocab_size: int, seed: int, never_emit: list[int]
) -> TransformerSpec:
    """A Transformer spec with every weight set from a seeded generator.

    The output bias makes the ``never_emit`` token ids impossible to generate.
    """
    rng = np.random.default_rng(seed)
    d, f = size.d_model, size.ffn

    def matrix(rows: int, cols: int) -> np.ndarray:
        return rng.normal(0.0, cols**-0.5, (rows, cols)).astype(np.float32)

    def linear(spec, rows: int, cols: int) -> None:
        spec.weight = matrix(rows, cols)
        spec.bias = np.zeros(rows, np.float32)

    def norm(spec) -> None:
        spec.gamma = np.ones(d, np.float32)
        spec.beta = np.zeros(d, np.float32)

    def feed_forward(spec) -> None:
        norm(spec.layer_norm)
        linear(spec.linear_0, f, d)
        linear(spec.linear_1, d, f)

    spec = _transformer_spec_class().from_config(size.layers, size.heads)
    embeddings = matrix(vocab_size, d)  # shared by encoder, decoder and output projection
    spec.encoder.embeddings[0].weight = embeddings
    norm(spec.encoder.layer_norm)
    for layer in spec.encoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)
        linear(layer.self_attention.linear[1], d, d)
        feed_forward(layer.ffn)
    decoder = spec.decoder
    decoder.embeddings.weight = embeddings
    norm(decoder.layer_norm)
    decoder.projection.weight = embeddings
    bias = np.zeros(vocab_size, np.float32)
    bias[never_emit] = -1e4
    decoder.projection.bias = bias
    for layer in decoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)
        linear(layer.self_attention.linear[1], d, d)
        norm(layer.attention.layer_norm)
        linear(layer.attention.linear[0], d, d)
        linear(layer.attention.linear[1], 2 * d, d)
        linear(layer.attention.linear[2], d, d)
        feed_forward(layer.ffn)
    return spec


def _write_zip(archive: Path, root: Path, top: str) -> None:
    """Zip ``root`` under the single top-level directory ``top``, byte-reproducibly."""
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(p for p in root.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{top}/{file.relative_to(root).as_posix()}")
            info.external_attr = 0o644 << 16
            # Random weights do not compress; deflating them only costs time.
            info.compress_type = (
                zipfile.ZIP_STORED if file.suffix == ".bin" else zipfile.ZIP_DEFLATED
            )
            zf.writestr(info, file.read_bytes())


def _tokenize_words(lines: list[str]) -> list[str]:
    """Moses tokens of ``lines``, as argostranslate's BPE tokenizer makes them."""
    from sacremoses.normalize import MosesPunctNormalizer
    from sacremoses.tokenize import MosesTokenizer

    normalizer, tokenizer = MosesPunctNormalizer("en"), MosesTokenizer("en")
    return [word for line in lines for word in tokenizer.tokenize(normalizer.normalize(line))]


def learn_bpe(words: list[str], merges: int) -> str:
    """subword-nmt BPE codes (format 0.2, as ``argostranslate.apply_bpe`` reads them) learnt
    from ``words``: the most frequent adjacent pair merged, ``merges`` times, ties broken
    by the pair's text, so equal input gives equal codes.

    >>> print(learn_bpe(["lower", "low", "low", "newest"], 3))
    #version: 0.2
    l o
    lo w</w>
    w e
    <BLANKLINE>
    """
    counts: dict[tuple[str, ...], int] = {}
    for word in words:
        symbols = (*word[:-1], word[-1] + "</w>")
        counts[symbols] = counts.get(symbols, 0) + 1
    codes = ["#version: 0.2"]
    for _ in range(merges):
        pairs: dict[tuple[str, str], int] = {}
        for symbols, count in counts.items():
            for pair in zip(symbols, symbols[1:], strict=False):
                pairs[pair] = pairs.get(pair, 0) + count
        if not pairs:
            break
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))
        codes.append(" ".join(best))
        merged: dict[tuple[str, ...], int] = {}
        for symbols, count in counts.items():
            out: list[str] = []
            i = 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    out.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + count
        counts = merged
    return "\n".join(codes) + "\n"


def _bpe_vocabulary(codes: str, words: list[str]) -> list[str]:
    """The special tokens, then every BPE unit of ``words`` and every single character
    (alone and with the ``@@`` continuation mark), sorted."""
    from argostranslate.apply_bpe import BPE

    bpe = BPE(io.StringIO(codes))
    units = set(bpe.segment_tokens(words))
    for char in {c for word in words for c in word}:
        units.update((char, char + "@@"))
    return [*_SPECIAL_TOKENS, *sorted(units - set(_SPECIAL_TOKENS))]


def _model_files(
    root: Path, dims: ModelSize, seed: int, lines: list[str], tokenizer: str,
    user_symbols: list[str],
) -> tuple[str, bytes]:
    """Save a CTranslate2 model in ``root`` and return its tokenizer (kind, bytes)."""
    if tokenizer == "bpe":
        words = _tokenize_words(lines)
        codes = learn_bpe(words, max(8, dims.vocab // 4))
        vocab = _bpe_vocabulary(codes, words) + user_symbols
        tokenizer_bytes = codes.encode("utf-8")
    elif tokenizer == "sentencepiece":
        tokenizer_bytes = _train_sentencepiece(lines, dims.vocab, user_symbols)
        vocab = _vocabulary(tokenizer_bytes)
    else:
        raise ValueError(f"unknown tokenizer {tokenizer!r}; use sentencepiece or bpe")
    # Never <unk>, <s>, </s> (so never an empty output) nor a language token.
    never_emit = [vocab.index(token) for token in (*_SPECIAL_TOKENS, *user_symbols)]
    spec = _transformer_spec(dims, len(vocab), seed, never_emit)
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization=dims.quantization)
    spec.save(str(root))
    return tokenizer, tokenizer_bytes


def build_package(
    dest_dir: Path,
    from_code: str,
    to_code: str,
    *,
    size: str = "tiny",
    seed: int = 0,
    training_text: str | None = None,
    version: str = "1.0",
    target_prefix: str = "",
    tokenizer: str = "sentencepiece",
    target_prefixes: dict[str, str] | None = None,
    from_codes: list[str] | None = None,
    sentence_model: str = "",
) -> Path:
    """Build ``translate-<from>_<to>-<version>.argosmodel`` in ``dest_dir``; return its path.

    ``size`` is a key of :data:`SIZES`. ``seed`` fixes the weights and the synthetic
    tokenizer text, so equal arguments give byte-identical packages. ``training_text``
    (e.g. a benchmark corpus) is added to the tokenizer's training text. The kinds
    argostranslate 1.11 installs:

    - ``tokenizer="sentencepiece"`` (``sentencepiece.model``) or ``"bpe"`` (``bpe.model``:
      subword-nmt codes over sacremoses tokens, as converted OPUS-MT packages);
    - ``target_prefix``: a multilingual-style package whose decoder must be started with
      that token; ``target_prefixes`` (target code -> token) with ``from_codes``: one
      model serving every pair of ``from_codes`` x the prefixes' languages (metadata
      ``from_codes``, ``to_codes``, ``target_prefixes``);
    - ``sentence_model="stanza"``: the package carries a ``stanza/`` directory, as the Argos
      index's packages do. Its files only stand in for a stanza model (no stanza here):
      the pipeline never loads it.
    """
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {sorted(SIZES)}")
    dims = SIZES[size]
    lines = synthetic_lines(seed, dims.lexicon_words, dims.lines)
    if training_text:
        lines += [line for line in training_text.splitlines() if line.strip()]
    prefixes = dict(target_prefixes or {})
    if target_prefix:
        prefixes.setdefault(to_code, target_prefix)
    user_symbols = sorted(set(prefixes.values()))

    from_name = _LANGUAGE_NAMES.get(from_code, from_code)
    to_name = _LANGUAGE_NAMES.get(to_code, to_code)
    metadata: dict[str, object] = {
        "package_version": version,
        "argos_version": "1.9",
        "from_code": from_code,
        "from_name": from_name,
        "to_code": to_code,
        "to_name": to_name,
        "type": "translate",  # what argostranslate reads (and defaults to)
        "links": [],
    }
    if prefixes.get(to_code):
        metadata["target_prefix"] = prefixes[to_code]
    if target_prefixes:
        metadata["from_codes"] = list(from_codes or [from_code])
        metadata["to_codes"] = list(target_prefixes)
        metadata["target_prefixes"] = dict(target_prefixes)
    stem = f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    archive = dest_dir / f"{stem}.argosmodel"
    with tempfile.TemporaryDirectory(prefix="argos-build-") as tmp:
        root = Path(tmp)
        (root / "model").mkdir()
        kind, tokenizer_bytes = _model_files(root / "model", dims, seed, lines, tokenizer,
                                             user_symbols)
        name = "bpe.model" if kind == "bpe" else "sentencepiece.model"
        (root / name).write_bytes(tokenizer_bytes)
        (root / "metadata.json").write_text(
            json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        if sentence_model == "stanza":
            # The layout of the Argos index's packages (stanza/<lang>/tokenize/*.pt).
            stanza = root / "stanza"
            (stanza / from_code / "tokenize").mkdir(parents=True)
            (stanza / "resources.json").write_text("{}\n", encoding="utf-8")
            (stanza / from_code / "tokenize" / "default.pt").write_bytes(
                b"stand-in for a stanza tokenizer model; never loaded\n"
            )
        elif sentence_model:
            raise ValueError(f"unknown sentence_model {sentence_model!r}; use stanza")
        (root / "README.md").write_text(
            f"# {from_name} -> {to_name} (synthetic)\n\nRandom {size} Transformer (seed {seed}),"
            " built by pipeline.testing.argos_package for tests and benchmarks.\n",
            encoding="utf-8",
        )
        _write_zip(archive, root, stem)
    return archive


def build_ct2_dir(
    dest_dir: Path,
    *,
    size: str = "tiny",
    seed: int = 0,
    tokenizer: str = "sentencepiece",
    target_tokens: list[str] | None = None,
) -> Path:
    """A plain CTranslate2 model directory as CTranslate2's converters leave it, with its
    tokenizer beside the model (``source.spm`` as OPUS-MT ships it, or ``bpe.codes``)
    and no Argos metadata; ``target_tokens``: a multilingual model's language tokens."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {sorted(SIZES)}")
    dims = SIZES[size]
    lines = synthetic_lines(seed, dims.lexicon_words, dims.lines)
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    kind, tokenizer_bytes = _model_files(dest_dir, dims, seed, lines, tokenizer,
                                         sorted(set(target_tokens or [])))
    (dest_dir / ("bpe.codes" if kind == "bpe" else "source.spm")).write_bytes(tokenizer_bytes)
    return dest_dir


def install_package(path: Path, packages_dir: Path) -> PackageInfo:
    """Install a built package into ``packages_dir`` (an ``ARGOS_PACKAGES_DIR``).

    Goes through the engine's validating installer, which extracts like argostranslate's
    ``install_from_path`` without importing ``argostranslate.translate``.
    """
    return install_file(path, packages_dir=packages_dir)
