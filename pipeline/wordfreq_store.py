"""wordfreq's word lists as compact files, memory-mapped and shared between processes.

``wordfreq.get_frequency_dict`` builds a Python dict per language: a second or so and
about 100 MB each, in every process that uses it (every worker, every Ray actor). Here
each list is written once into a cache file and then opened with ``mmap``: opening
costs milliseconds, the pages are the operating system's file cache, shared by every
process that maps the file, and a language costs nothing until it is used.

The values are exactly the floats ``get_frequency_dict`` returns: wordfreq stores each
word's frequency as a whole number of centibels, so a file holds, per word, the index
of its centibel bucket, and the bucket's float64 frequency computed by wordfreq itself
when the file was built. :func:`zipf_frequency` and :func:`top_n_list` are wordfreq's
own functions (same tokenizer, same number handling, same rounding) over these files.

Where the files live: ``$XDG_CACHE_HOME/newsclean-pipeline/wordfreq-<version>/``
(``~/.cache`` when ``XDG_CACHE_HOME`` is unset), one ``<wordlist>_<lang>.bin`` per list.
A file is built on first use, under a file lock (one builder at a time; the others
wait and map the result), into a temporary name renamed into place, so a reader never
sees half a file. On opening, the header (format, wordfreq version, language, word
list, source data file, byte order) and a CRC-32 of the whole file are checked: a
corrupt, truncated or foreign file is rebuilt. Where the cache cannot be written (a
read-only or missing home), the list is built in memory instead, with a
:class:`WordfreqCacheWarning`; it is still compact (about a tenth of the dict).

``PIPELINE_WORDFREQ=dict`` in the environment restores the previous behaviour
(wordfreq's own dicts, loaded per process), for ``bench/startup.py`` to compare.

File layout: ``MAGIC`` (8 bytes), the header's length (u32 little-endian), a CRC-32
of everything after these 16 bytes (u32 little-endian), the header (JSON: what the
file was built from, and where each section is), then three 8-byte aligned sections:
``freqs`` (float64 per bucket), ``records`` (per word, in wordfreq's order, most
frequent first: u16 bucket, u16 length, UTF-8 bytes; little-endian) and ``table``
(u32 per slot, in the byte order the header names: 0 empty, else the word's record
offset + 1; open addressing on the CRC-32 of the word's UTF-8 bytes with linear
probing). A lookup reads one slot or two and one record: a few pages of the file.
"""

from __future__ import annotations

import errno
import json
import math
import mmap
import os
import struct
import sys
import threading
import warnings
import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

MAGIC = b"NCWFREQ\x02"
FORMAT = 2
_PREFIX = struct.Struct("<8sII")  # magic, header length, crc32 of the rest
_RECORD = struct.Struct("<HH")  # a word's frequency bucket and its length in bytes
_ALIGN = 8
_LENGTHS = [n.to_bytes(2, "little") for n in range(256)]  # _RECORD's length field
_MISSING = object()
# Slots per word in the hash table, at least: a load factor of 2/3 or less keeps
# linear probing to about two probes per lookup.
_SLOTS_PER_WORD = 1.5
# How long a process waits for another one building the same file (building a list
# takes seconds) before it builds its own copy in memory.
LOCK_TIMEOUT_S = 300.0
ENV_MODE = "PIPELINE_WORDFREQ"
CACHE_NAME = "newsclean-pipeline"
# The user's XDG_CACHE_HOME ("" when unset), kept here where pipeline.engines.argos
# points XDG_CACHE_HOME at a temporary stand-in for argostranslate (a HOME it cannot
# write): the word lists stay where the user keeps caches, or are built in memory with a
# warning, never in a folder removed at exit and rebuilt by every run without a word.
USER_CACHE_ENV = "PIPELINE_USER_XDG_CACHE_HOME"


class WordfreqCacheWarning(UserWarning):
    """The word-list cache cannot be used; lists are built in memory instead."""


class CacheInvalid(ValueError):
    """A cache file is corrupt, truncated or was built for something else."""


# --- where wordfreq and the cache are (without importing wordfreq: 0.2 s) ------------


@cache
def _wordfreq_dir() -> Path:
    from importlib.util import find_spec

    spec = find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("wordfreq is not installed: pip install wordfreq")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def wordfreq_version() -> str:
    """The installed wordfreq's version, from its dist-info folder when there is one
    (``importlib.metadata`` costs 50 ms to import)."""
    found = sorted(_wordfreq_dir().parent.glob("wordfreq-*.dist-info"))
    if len(found) == 1:
        return found[0].name[len("wordfreq-") : -len(".dist-info")]
    from importlib.metadata import version

    return version("wordfreq")


@cache
def _available(wordlist: str) -> dict[str, str]:
    if wordlist == "best":
        return {**_available("small"), **_available("large")}
    found = {}
    for path in sorted((_wordfreq_dir() / "data").glob("*.msgpack.gz")):
        if not path.name.startswith("_"):
            name, lang = path.name.split(".")[0].split("_")
            if name == wordlist:
                found[lang] = str(path)
    return found


def available_languages(wordlist: str = "best") -> dict[str, str]:
    """Language code -> data file, as ``wordfreq.available_languages`` (same globbing of
    wordfreq's data folder, without importing wordfreq).

    >>> {"pt", "de", "en"} <= set(available_languages())
    True
    """
    return dict(_available(wordlist))


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/newsclean-pipeline`` (``~/.cache/...`` when unset or relative)."""
    base = os.environ.get(USER_CACHE_ENV, os.environ.get("XDG_CACHE_HOME", ""))
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / CACHE_NAME


def cache_path(lang: str, wordlist: str = "best") -> Path:
    """The cache file of one word list."""
    return cache_root() / f"wordfreq-{wordfreq_version()}" / f"{wordlist}_{lang}.bin"


def _expected(lang: str, wordlist: str) -> dict[str, Any]:
    """The header a file built now for ``lang``/``wordlist`` would have."""
    available = _available(wordlist)
    if lang not in available:
        raise LookupError(
            f"wordfreq has no {wordlist!r} word list for {lang!r}; "
            f"available: {', '.join(sorted(available))}"
        )
    source = Path(available[lang])
    return {
        "format": FORMAT,
        "wordfreq": wordfreq_version(),
        "lang": lang,
        "wordlist": wordlist,
        "source": source.name,
        "source_size": source.stat().st_size,
        "byteorder": sys.byteorder,
    }


# --- building ---------------------------------------------------------------------------


def _pad(size: int) -> int:
    return -size % _ALIGN


def build_bytes(lang: str, wordlist: str = "best") -> bytes:
    """The file for one word list, built from wordfreq's data file (a second or so)."""
    import wordfreq

    header = _expected(lang, wordlist)
    pack = wordfreq.read_cBpack(_available(wordlist)[lang])
    if len(pack) >= 1 << 16:
        raise ValueError(f"{len(pack)} frequency buckets do not fit the format")
    freqs = array("d", (wordfreq.cB_to_freq(-index) for index in range(len(pack))))
    # A dict, as get_frequency_dict builds it: a word in two buckets keeps the last.
    bucket_of: dict[str, int] = {}
    for index, bucket in enumerate(pack):
        for word in bucket:
            bucket_of[word] = index
    records = bytearray()
    starts = []
    for word, bucket in bucket_of.items():
        encoded = word.encode("utf-8")
        if len(encoded) >= 1 << 16:
            raise ValueError(f"a {lang} word of {len(encoded)} bytes does not fit the format")
        starts.append((len(records), zlib.crc32(encoded)))
        records += _RECORD.pack(bucket, len(encoded))
        records += encoded
    if len(records) >= 1 << 32:
        raise ValueError(f"the {lang} word list does not fit the format")
    count = len(starts)
    slots = 1 << max(3, math.ceil(count * _SLOTS_PER_WORD).bit_length())
    mask = slots - 1
    table = array("I", bytes(4 * slots))
    for start, crc in starts:
        slot = crc & mask
        while table[slot]:  # ends: there are more slots than words
            slot = (slot + 1) & mask
        table[slot] = start + 1
    sections = {"freqs": freqs.tobytes(), "records": bytes(records), "table": table.tobytes()}
    header.update(count=count, slots=slots, sections={})
    # The header holds the sections' offsets, which depend on the header's length:
    # lay out with a length budget, then check that the header fitted it.
    budget = 1024
    while True:
        position = _PREFIX.size + budget
        for name, data in sections.items():
            header["sections"][name] = [position, len(data)]
            position += len(data) + _pad(len(data))
        text = json.dumps(header, sort_keys=True).encode()
        if len(text) <= budget:
            break
        budget *= 2  # bounded: the header's length does not grow with the budget
    parts = [text.ljust(budget)]
    for data in sections.values():
        parts += [data, bytes(_pad(len(data)))]
    body = b"".join(parts)
    return _PREFIX.pack(MAGIC, budget, zlib.crc32(body)) + body


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            # Written pages sit in the page cache as large folios (2 MB on ext4), and
            # a mapping maps a whole folio on its first touch: dropped now, they are
            # read back page by page (see _map).
            _fadvise(out.fileno(), "POSIX_FADV_DONTNEED")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _fadvise(fd: int, advice: str) -> None:
    if hasattr(os, "posix_fadvise") and hasattr(os, advice):
        os.posix_fadvise(fd, 0, 0, getattr(os, advice))


# --- reading ----------------------------------------------------------------------------


class WordList(Mapping[str, float]):
    """One word list, read-only: ``word -> frequency`` exactly as wordfreq's dict.

    ``data`` is the file's bytes or a read-only ``mmap`` of it; ``expected`` the
    header fields it must have (:class:`CacheInvalid` otherwise).
    """

    def __init__(self, data: bytes | mmap.mmap, expected: Mapping[str, Any]):
        length = _check_prefix(data[: _PREFIX.size], len(data))[0]
        try:
            header = json.loads(bytes(data[_PREFIX.size : _PREFIX.size + length]))
        except ValueError as exc:
            raise CacheInvalid(f"unreadable header: {exc}") from None
        for key, value in expected.items():
            if header.get(key) != value:
                raise CacheInvalid(f"built for {key}={header.get(key)!r}, not {value!r}")
        count, slots = header["count"], header["slots"]
        sizes = {"freqs": None, "records": None, "table": 4 * slots}
        parts = {}
        for name, size in sizes.items():
            start, length = header["sections"][name]
            if start + length > len(data) or (size is not None and length != size):
                raise CacheInvalid(f"section {name} does not fit the file")
            parts[name] = memoryview(data)[start : start + length]
        if slots & (slots - 1) or slots <= count:
            raise CacheInvalid("bad hash table size")
        self.lang: str = header["lang"]
        self.wordlist: str = header["wordlist"]
        self._data = data
        self._count = count
        self._mask = slots - 1
        self._freqs = parts["freqs"].cast("d").tolist()
        self._table = parts["table"].cast("I")
        self._records = header["sections"]["records"]
        self._base = self._records[0] + 1  # a slot holds its record's offset + 1

    def get(self, word: str, default: Any = None) -> Any:
        """The word's frequency, ``default`` when absent. A lone surrogate encodes to
        bytes no stored (valid UTF-8) word has, so it is absent, as in a dict."""
        if not isinstance(word, str):
            return default
        key = word.encode("utf-8", "surrogatepass")
        end = len(key)
        if end > 0xFFFF:  # longer than a record's length field holds: no stored word
            return default
        # The record's length field and bytes, compared in one slice.
        probe = (_LENGTHS[end] if end < len(_LENGTHS) else end.to_bytes(2, "little")) + key
        table, data, mask, base = self._table, self._data, self._mask, self._base
        slot = zlib.crc32(key) & mask
        while entry := table[slot]:  # ends: the table has more slots than words
            at = base + entry  # the record's length field
            if data[at : at + 2 + end] == probe:
                return self._freqs[data[at - 2] | data[at - 1] << 8]
            slot = (slot + 1) & mask
        return default

    def __getitem__(self, word: str) -> float:
        found = self.get(word, _MISSING)
        if found is _MISSING:
            raise KeyError(word)
        return found

    def __contains__(self, word: object) -> bool:
        return self.get(word, _MISSING) is not _MISSING  # type: ignore[arg-type]

    def __len__(self) -> int:
        return self._count

    def release(self) -> None:
        """Unmap the touched pages of a mapped list (see :func:`release`)."""
        if isinstance(self._data, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
            self._data.madvise(mmap.MADV_DONTNEED)

    def __iter__(self) -> Iterator[str]:
        """The words in wordfreq's order: most frequent first."""
        at, data = self._records[0], self._data
        for _ in range(self._count):
            length = _RECORD.unpack_from(data, at)[1]
            at += _RECORD.size
            yield bytes(data[at : at + length]).decode("utf-8")
            at += length


def _check_prefix(prefix: bytes, size: int) -> tuple[int, int]:
    """The header's length and the file's CRC-32, from its first bytes."""
    if len(prefix) < _PREFIX.size:
        raise CacheInvalid("truncated: shorter than its prefix")
    magic, length, crc = _PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise CacheInvalid("not a word-list file of this format (magic)")
    if _PREFIX.size + length > size:
        raise CacheInvalid("truncated: shorter than its header")
    return length, crc


_lock = threading.Lock()


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()  # another thread of the parent may have held it


os.register_at_fork(after_in_child=_after_fork_in_child)
_open: dict[tuple[str, str, bool], Mapping[str, float]] = {}
_CHUNK = 1 << 20


def _map(path: Path, expected: Mapping[str, Any]) -> WordList:
    """Check a cache file's CRC-32 and map it. The check reads the file in chunks
    rather than through the mapping: only the pages that lookups touch count in the
    process's memory, and they are shared with every other process mapping the file."""
    with open(path, "rb", buffering=0) as file:
        # Random access: read exactly what is asked (no readahead into large folios).
        _fadvise(file.fileno(), "POSIX_FADV_RANDOM")
        size = os.fstat(file.fileno()).st_size
        crc = _check_prefix(file.read(_PREFIX.size), size)[1]
        buffer = bytearray(_CHUNK)
        found = 0
        while read := file.readinto(buffer):  # ends at the end of the file
            found = zlib.crc32(memoryview(buffer)[:read], found)
        if found != crc:
            raise CacheInvalid("checksum mismatch (corrupt or truncated)")
        data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    if hasattr(data, "madvise") and hasattr(mmap, "MADV_RANDOM"):
        data.madvise(mmap.MADV_RANDOM)
    return WordList(data, expected)


_warned: set[str] = set()


def _warn(message: str) -> None:
    """Warn once a process (a run opens two dozen lists, all failing for one reason):
    inside a run, here or in a worker, to the run's log, so that a JSON log stays JSON;
    elsewhere as a :class:`WordfreqCacheWarning`."""
    if message in _warned:
        return
    _warned.add(message)
    from pipeline.log import FORMAT_ENV, warn

    if os.environ.get(FORMAT_ENV):
        warn("wordfreq_cache", message)
    else:
        warnings.warn(message, WordfreqCacheWarning, stacklevel=4)


def _out_of_memory(exc: Exception, path: Path) -> None:
    """Raise MemoryError where ``exc`` is the mapping or reading of ``path`` refused for
    want of memory (ENOMEM: a memory limit, ``ulimit -v``): the run then says it is out
    of memory, not that the cache cannot be used (advice to move XDG_CACHE_HOME)."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOMEM:
        raise MemoryError(f"mapping the word list {path.name}: {exc.strerror}") from exc


def _load(lang: str, wordlist: str) -> WordList:
    expected = _expected(lang, wordlist)
    try:
        path = cache_path(lang, wordlist)
    except RuntimeError as exc:  # Path.home(): no home directory
        _warn(f"no cache directory ({exc}); word lists are built in memory for this "
              "process (set XDG_CACHE_HOME to a writable folder to share them)")
        return WordList(build_bytes(lang, wordlist), expected)
    try:
        return _map(path, expected)
    except (FileNotFoundError, CacheInvalid):
        pass
    except OSError as exc:
        _out_of_memory(exc, path)
        # unreadable: rebuilt below, or built in memory if that fails too
    from filelock import FileLock

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S):
            try:
                return _map(path, expected)  # built meanwhile by another process
            except (FileNotFoundError, CacheInvalid):
                pass
            _write_atomically(path, build_bytes(lang, wordlist))
        return _map(path, expected)
    except (OSError, CacheInvalid) as exc:
        _out_of_memory(exc, path)
        _warn(f"word-list cache {path.parent} cannot be used ({exc}); word lists are "
              "built in memory by each process, at every run (set XDG_CACHE_HOME to a "
              "writable folder to build them once and share them between processes)")
        return WordList(build_bytes(lang, wordlist), expected)


def dict_mode() -> bool:
    """True when ``PIPELINE_WORDFREQ=dict`` asks for wordfreq's own dicts."""
    mode = os.environ.get(ENV_MODE, "")
    if mode not in ("", "mmap", "dict"):
        warnings.warn(f"{ENV_MODE}={mode!r} is not mmap or dict; using mmap",
                      WordfreqCacheWarning, stacklevel=3)
    return mode == "dict"


def word_list(lang: str, wordlist: str = "best") -> Mapping[str, float]:
    """``lang``'s word list, ``word -> frequency``, equal to
    ``wordfreq.get_frequency_dict(lang, wordlist)``; opened once per process.

    >>> from wordfreq import get_frequency_dict
    >>> word_list("pt")["coreia"] == get_frequency_dict("pt")["coreia"]
    True
    """
    mode = dict_mode()
    key = (lang, wordlist, mode)
    found = _open.get(key)
    if found is not None:
        return found
    with _lock:
        if key not in _open:
            if mode or lang not in _available(wordlist):  # wordfreq matches "pt-BR" to "pt"
                from wordfreq import get_frequency_dict

                _open[key] = get_frequency_dict(lang, wordlist)
            else:
                _open[key] = _load(lang, wordlist)
        return _open[key]


def release(langs: Iterable[str], wordlist: str = "best") -> None:
    """Unmap the pages of these lists that this process touched (they stay in the
    operating system's file cache, and come back on the next lookup, without I/O).

    For lookups in bursts over many lists, as the read stage's judging of a legacy
    encoding across a dozen languages: without it, each list keeps the pages the
    burst touched in this process's memory for the rest of the run.
    """
    for lang in langs:
        table = _open.get((lang, wordlist, False))
        if isinstance(table, WordList):
            table.release()


def forget() -> None:
    """Forget the lists this process opened: the next :func:`word_list` opens (or
    builds) them again. Mappings still referenced stay valid."""
    with _lock:
        _open.clear()


# --- wordfreq's functions over the store -------------------------------------------------


def _regex_tokens(text: str) -> list[str]:
    """The words of ``text`` by wordfreq's regular expression, as ``lossy_tokenize``
    gives them in a language without its own tokenizer: what a Japanese, Korean or
    Chinese word is looked up as when wordfreq's optional tokenizer (MeCab, jieba) is
    not installed. A run of CJK characters stays one token, which the list seldom holds
    (a frequency of 0, as for any unknown word) instead of an ImportError ending the run.

    >>> _regex_tokens("Don’t stop")
    ["don't", 'stop']
    """
    from wordfreq.tokens import simple_tokenize, uncurl_quotes

    return [uncurl_quotes(token) for token in simple_tokenize(text)]


def _word_frequency(word: str, lang: str, wordlist: str, minimum: float) -> float:
    """``wordfreq._word_frequency`` with :func:`word_list` for the dict (same code)."""
    from wordfreq import INFERRED_SPACE_FACTOR
    from wordfreq.language_info import get_language_info
    from wordfreq.numbers import digit_freq, smash_numbers
    from wordfreq.tokens import lossy_tokenize

    try:
        tokens = lossy_tokenize(word, lang)
    except ImportError:  # MeCab (ja, ko) or jieba (zh): optional, not installed
        tokens = _regex_tokens(word)
    if not tokens:
        return minimum
    freqs = word_list(lang, wordlist)
    one_over_result = 0.0
    for token in tokens:
        smashed = smash_numbers(token)
        freq = freqs.get(smashed)
        if freq is None:
            return minimum
        if smashed != token:
            freq *= digit_freq(token)
        one_over_result += 1.0 / freq
    freq = 1.0 / one_over_result
    if get_language_info(lang)["tokenizer"] == "jieba":
        freq *= INFERRED_SPACE_FACTOR ** -(len(tokens) - 1)
    unrounded = max(freq, minimum)
    if unrounded == 0.0:
        return 0.0
    leading_zeroes = math.floor(-math.log(unrounded, 10))
    return round(unrounded, leading_zeroes + 3)


def zipf_frequency(word: str, lang: str, wordlist: str = "best", minimum: float = 0.0) -> float:
    """``wordfreq.zipf_frequency``, reading the word list from the store; ``minimum``
    (an unknown word) where wordfreq cannot cut the text into words: it needs jieba for
    Chinese and MeCab for Japanese and Korean, optional packages.

    >>> zipf_frequency("Cooperação", "pt") == __import__("wordfreq").zipf_frequency(
    ...     "Cooperação", "pt")
    True
    """
    try:
        return _zipf_frequency(word, lang, wordlist, minimum)
    except ImportError:  # a Chinese span in an English README stopped the whole run
        return minimum


def _zipf_frequency(word: str, lang: str, wordlist: str, minimum: float) -> float:
    if dict_mode():
        from wordfreq import zipf_frequency as wordfreq_zipf

        return wordfreq_zipf(word, lang, wordlist, minimum)
    from wordfreq import freq_to_zipf, zipf_to_freq

    if lang not in _available(wordlist):  # wordfreq matches "pt-BR" to "pt"; so do we
        from wordfreq import zipf_frequency as wordfreq_zipf

        return wordfreq_zipf(word, lang, wordlist, minimum)
    freq = _word_frequency(word, lang, wordlist, zipf_to_freq(minimum))
    return round(freq_to_zipf(freq), 2)


def top_n_list(lang: str, n: int, wordlist: str = "best", ascii_only: bool = False) -> list[str]:
    """``wordfreq.top_n_list``, reading the word list from the store.

    >>> top_n_list("de", 3)
    ['die', 'der', 'und']
    """
    if dict_mode() or lang not in _available(wordlist):
        from wordfreq import top_n_list as wordfreq_top

        return wordfreq_top(lang, n, wordlist, ascii_only)
    from wordfreq.numbers import has_digit_sequence

    results: list[str] = []
    for word in word_list(lang, wordlist):
        if (not ascii_only or max(word) <= "~") and not has_digit_sequence(word):
            results.append(word)
            if len(results) >= n:
                break
    return results
