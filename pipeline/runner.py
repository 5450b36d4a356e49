"""The runner: reads the corpus, schedules shards, writes outputs, keeps state.

Stages never touch files; everything that reads, writes, locks or times lives
here. A run:

1. takes OUT's lock (a second run exits 75) and removes temporary files a killed
   run left behind;
2. walks CORPUS in a stable order; each file goes to the reader of its format
   (:func:`pipeline.factory.build_pipeline`), which yields its documents (one per
   text file or page, one per record of a record file); a document whose content
   and configuration fingerprint match the state store is skipped, bad inputs are
   quarantined, files no reader takes are listed as skipped with what to do;
3. sends the rest in shards to the executor (clean, analyse, translate), writes
   each document's own files and then commits its state row (a record's texts go
   to the state: its file's mirrored copies are rebuilt once the file is done);
4. rebuilds the aggregate files (documents.jsonl, segments.jsonl, parallel/...)
   from the state store, never by re-translating, and writes report.json.

SIGINT, SIGTERM and SIGHUP stop the run within seconds: the shards in flight are
abandoned (their documents get no state row, so the next run does them), the
shards already committed stay, the aggregates and report are rebuilt from the
state, and the run exits 130/143/129. A second signal stops at once. A signal
ignored when the run starts (SIGINT in a script's background job, SIGHUP under
nohup) stays ignored.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import itertools
import json
import os
import shlex
import signal
import socket
import sqlite3
import stat
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from pipeline import __version__
from pipeline.config import Config, ConfigError, process_running
from pipeline.document import Document
from pipeline.executors import make_executor, start_early
from pipeline.factory import Pipeline, build_pipeline, formats, reader_name
from pipeline.folders import walk
from pipeline.log import RunLog, shown
from pipeline.readers import (
    APPLEDOUBLE,
    FOLDER_LINK_ADVICE,
    MAC_METADATA_ADVICE,
    PIPELINE_OUT_ADVICE,
    SAVED_PAGE_PART_ADVICE,
    SKIP_GROUPS,
    VCS_FOLDERS,
    VERSION_CONTROL_ADVICE,
    Item,
    open_nonblocking,
    skip_advice,
    suffix_of,
)
from pipeline.readers.html import saved_page_part, text_output
from pipeline.readers.records import RecordsError
from pipeline.state import (
    StateError,
    StateStore,
    StoredDocument,
    is_corruption,
    size_limit,
)
from pipeline.writers import (
    TEMP_PREFIX,
    atomic_open,
    atomic_write,
    sweep_temporary,
    sync_to_disk,
)
from pipeline.writers.jsonl import check_targets
from pipeline.writers.review import SectionSpool, write_report

if TYPE_CHECKING:  # the stages, the executors' workers and the writers of processed
    # documents are imported when a run has documents to process (build_stages)
    from pipeline.memory import OnFirstUse
    from pipeline.shard import ShardResult

STATE_DIR = ".pipeline"
# A file's stat (stat_key) vouches for its stored hash only when the file was last
# changed (its ctime) at least this long before it was read: a write within the same
# tick of a coarse file-system clock after the read could otherwise leave size and
# times as recorded (git's "racily clean" entries). Such a file is hashed again next
# time. Not its mtime: any program sets that (a scraper's Last-Modified, in the future).
STAT_TRUST_NS = 2_000_000_000
# State meta key: the fingerprint and detection candidates of the last run that built
# its stages (see Runner._earlier_candidates).
STAGES_META = "stages"


def build_stages(config: Config, candidates: list[str] | None = None) -> list:
    """:func:`pipeline.shard.build_stages`, imported only by a run that has documents to
    process (the stages' modules, lingua's bindings and the word lists stay unloaded
    in a rerun that finds nothing new)."""
    from pipeline.shard import build_stages as build

    return build(config, candidates)

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3  # failed or quarantined documents, or missing translation models
EXIT_OUTPUT = 74  # OUT cannot be written: disk full, read-only... (EX_IOERR)
EXIT_LOCKED = 75  # another run holds OUT's lock (EX_TEMPFAIL: try again later)
EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}


class UsageError(Exception):
    """Bad arguments: the message says what to do (exit 2)."""


class LockedError(Exception):
    """Another run is writing to the same output directory (exit 75)."""


class DocumentWriteError(Exception):
    """One document's copy cannot be written, for a reason of its own: it is quarantined."""


# Errors writing a document's copy that are that document's alone (its name, something
# in OUT in the way); any other (ENOSPC, EROFS, EDQUOT, EIO...) stops the run: exit 74.
DOCUMENT_WRITE_ERRORS = frozenset({errno.ENAMETOOLONG, errno.EEXIST, errno.ENOTDIR,
                                   errno.EISDIR})


def duration(seconds: float) -> str:
    """A duration as a person reads it.

    >>> duration(42.7), duration(3 * 60 + 5), duration(3 * 3600 + 12 * 60 + 9)
    ('42 s', '3 min', '3 h 12 min')
    """
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def copy_refused(where: str, exc: OSError) -> str:
    """Why a document's (a record file's) copy at ``where`` cannot be written, for a
    reason of its own (:data:`DOCUMENT_WRITE_ERRORS`), and what to do.

    >>> copy_refused("OUT/clean/a.txt", IsADirectoryError(21, "Is a directory")).split(";")[0]
    'its copy OUT/clean/a.txt cannot be written: Is a directory'
    """
    return (f"its copy {where} cannot be written: {exc.strerror}; rename the document, "
            "or move aside what is in the way in OUT (the copy of a document deleted "
            "from CORPUS: run with --prune), and run again")


class OutputError(Exception):
    """OUT cannot be written (exit 74); what was there before is left as it was."""


class Interrupted(BaseException):  # noqa: N818 - like KeyboardInterrupt
    """A stop signal abandons the work in progress (exit 130/143).

    A BaseException, like KeyboardInterrupt, so that no stage takes it for a
    document's own error. Raised out of a shard in progress by the first signal,
    and out of anything by a second one.
    """

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@dataclass
class RunOptions:
    force: bool = False  # reprocess every document
    prune: bool = False  # remove outputs of documents deleted from the corpus
    dry_run: bool = False  # say what would happen, write nothing
    executor: str = "local"
    workers: int = 1
    ray_address: str | None = None
    shard_docs: int = 32  # documents per shard
    no_cache: bool = False  # bypass the translation memory
    started: float | None = None  # time.perf_counter() when the command started
    # where the configuration was read from (an absolute path, or that there was no
    # file), said when documents are processed again because it changed
    config_file: str = ""


@dataclass
class Entry:
    """One file found in the corpus: a document to read, or a reason it is not."""

    doc: str
    path: Path
    problem: str = ""  # quarantine reason
    skip: str = ""  # not a document (other file type): what to do about it
    link: bool = False  # a symbolic link (inside the corpus) when it was found
    folder: bool = False  # a folder that cannot be listed: its documents are kept
    empty: bool = False  # a folder of CORPUS that holds nothing (a mount point?)
    reader: str = ""  # the reader of its format (pipeline.factory.READERS)
    stat: os.stat_result | None = None  # the file's (a link's target's) when it was found
    # Once listed, a document's file keeps only its stat_key, and that only when the state
    # recorded one for it (to find it unchanged unread): a stat weighs about 600 bytes,
    # a first run of a million files held them all until its end.
    key: str = ""


@dataclass
class RunResult:
    report: dict = field(default_factory=dict)
    exit_code: int = EXIT_OK



def discover(corpus: Path, max_bytes: int) -> Iterator[Entry]:
    """Every file under ``corpus`` in a stable order, with what to do with it.

    Never follows a link out of the corpus, never reads a file over ``max_bytes``.
    A folder that cannot be listed is an entry of its own, with the reason.
    """
    root = corpus.resolve()
    unlisted: list[OSError] = []  # walk's errors, as they come
    for dirpath, dirnames, filenames in walk(corpus, onerror=unlisted.append):
        yield from _unlisted(corpus, unlisted)
        dirnames.sort()
        base = Path(dirpath)
        prefix = base.relative_to(corpus).as_posix()
        prefix = "" if prefix == "." else prefix + "/"  # each file's id: prefix + name
        if prefix and STATE_DIR in dirnames and _is_out(base):
            yield Entry(prefix[:-1], base, skip=PIPELINE_OUT_ADVICE)
            dirnames[:] = []
            continue
        if prefix and not dirnames and not filenames:  # its stored documents: _empty_folders
            try:
                yield Entry(_readable(prefix[:-1]), base, empty=True, stat=os.stat(base))
            except OSError:  # gone since it was listed
                pass
        for name in dirnames:
            if name in VCS_FOLDERS:
                yield Entry(prefix + name, base / name, skip=VERSION_CONTROL_ADVICE)
            if name in VCS_FOLDERS or not os.path.islink(base / name):  # False on errors
                continue
            rel = (base / name).relative_to(corpus).as_posix()
            target = (base / name).resolve()
            if not _utf8(rel):  # its name would stop report.json from being written
                yield Entry(_readable(rel), base / name, problem=NOT_UTF8_LINK)
            elif not target.is_relative_to(root):
                yield Entry(rel, base / name, problem=OUTSIDE_LINK)
            else:  # os.walk does not follow it; say so (its files are read where they are)
                yield Entry(rel, base / name, skip=FOLDER_LINK_ADVICE)
        dirnames[:] = [
            n for n in dirnames if n not in VCS_FOLDERS and (not os.path.islink(base / n) or
            (base / n).resolve().is_relative_to(root))
        ]
        for name in sorted(filenames):
            yield _classify(Entry(prefix + name, base / name), root, max_bytes)
    yield from _unlisted(corpus, unlisted)


def _is_out(folder: Path) -> bool:
    """Whether ``folder`` is a run's OUT: its state folder holds the lock or state a
    run writes there first (a folder merely named ".pipeline" is not enough)."""
    state = folder / STATE_DIR
    return any((state / name).is_file() for name in ("lock.json", "state.sqlite"))


def _unlisted(corpus: Path, errors: list[OSError]) -> Iterator[Entry]:
    """An entry per folder of ``corpus`` that os.walk could not list (``errors``,
    emptied): its documents are neither read nor taken for deleted."""
    for exc in errors:
        path = Path(exc.filename or corpus)
        rel = path.relative_to(corpus).as_posix() if path.is_relative_to(corpus) else str(path)
        reason = exc.strerror or str(exc)
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):  # a scraper's folder, moved on
            problem = ("folder deleted or replaced while the corpus was listed: its documents "
                       "are left as they were; the next run reads it as it then is")
        else:
            fix = ("move its files to a folder nearer the corpus"
                   if exc.errno == errno.ENAMETOOLONG else "give this user read access to it")
            problem = (f"folder cannot be read ({reason}): its documents are left as they "
                       f"were; {fix}")
        yield Entry(_readable(rel), path, folder=True, problem=problem)
    errors.clear()


NOT_UTF8_FILE = "file name is not valid UTF-8; rename it"
NOT_UTF8_LINK = "link name is not valid UTF-8; rename it"


def _utf8(name: str) -> bool:
    """Whether ``name`` (as the file system gave it) is valid UTF-8.

    >>> _utf8("café.txt"), _utf8(os.fsdecode(b"caf\\xe9.txt"))
    (True, False)
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _readable(name: str) -> str:
    """``name`` with the bytes that are no UTF-8 shown as U+FFFD: the id under which a
    bad name is reported (the name as read cannot be written into report.json).

    >>> _readable(os.fsdecode(b"caf\\xe9.txt"))
    'caf\ufffd.txt'
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _classify(entry: Entry, root: Path, max_bytes: int) -> Entry:
    path = entry.path
    if not _utf8(entry.doc):
        entry.doc, entry.problem = _readable(entry.doc), NOT_UTF8_FILE
        return entry
    entry.reader = reader_name(entry.doc)
    if not entry.reader:
        # A link loop is one whatever its name: without a suffix read, it was counted
        # as a "(no suffix) file" to convert to .txt.
        entry.problem = LINK_LOOP if _loops(path) else ""
        entry.skip = "" if entry.problem else (
            SAVED_PAGE_PART_ADVICE if saved_page_part(path)
            else skip_advice(suffix_of(entry.doc), formats()))
        return entry
    # One lstat per file (and a stat more for a link): an unchanged rerun looks at
    # every file of the corpus.
    try:
        found: os.stat_result | None = os.lstat(path)
    except OSError:  # gone since it was listed
        found = None
    entry.link = found is not None and stat.S_ISLNK(found.st_mode)
    if entry.link:
        try:
            target = path.resolve()
        except (OSError, RuntimeError):  # links leading back to themselves (ELOOP)
            entry.problem = LINK_LOOP  # (Python 3.11 and 3.12; 3.13 resolves a loop as is)
            return entry
        if not target.is_relative_to(root):
            entry.problem = OUTSIDE_LINK
            return entry
        try:
            found = os.stat(path)
        except OSError as exc:  # a broken link, or a loop that resolve() let pass (3.13)
            entry.problem = LINK_LOOP if exc.errno == errno.ELOOP else (
                f"broken symbolic link: its target {shown(str(target))} does not exist")
            return entry
    if found is None or not stat.S_ISREG(found.st_mode):
        entry.problem = not_regular(found and found.st_mode)
        return entry
    entry.stat = found
    if path.name.startswith("._") and _starts_with(path, APPLEDOUBLE):
        entry.skip = MAC_METADATA_ADVICE
        return entry
    if entry.reader == "html" and saved_page_part(path):
        entry.skip = SAVED_PAGE_PART_ADVICE
        return entry
    # A record file is read as a stream: max_file_bytes bounds each record.
    if found.st_size > max_bytes and entry.reader != "records":
        from pipeline.readers.html import too_large_advice  # (an archive: not to split)

        entry.problem = (f"larger than max_file_bytes ({found.st_size} > {max_bytes}): "
                         + too_large_advice(entry.doc))
    return entry


LINK_LOOP = "symbolic link loop: it leads back to itself; correct or remove it"
OUTSIDE_LINK = ("symbolic link pointing outside the corpus (not followed); copy the file into "
                "the corpus, or run on a folder that holds its target")


def _loops(path: Path) -> bool:
    """Whether ``path`` is a symbolic link that leads back to itself (a loop)."""
    if not path.is_symlink():
        return False
    try:
        path.resolve(strict=True)
    except RuntimeError:  # pathlib's "Symlink loop" (Python 3.11)
        return True
    except OSError as exc:  # ELOOP from the system; a broken link is no loop
        return exc.errno == errno.ELOOP
    return False


def _starts_with(path: Path, magic: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(magic)) == magic
    except OSError:  # read as any other file, and quarantined with its reason
        return False


def lock_out(path: Path) -> int:
    """Take OUT's lock: an exclusive ``flock`` of ``path`` (created when missing), as
    ``flock -s`` takes a reader's shared one. Returns its descriptor: closing it, or
    the process's end, releases the lock. Raises BlockingIOError while another process
    holds it, OSError when it cannot be opened.

    A reader's ``flock -s OUT/.pipeline/lock`` before the first run creates the file as
    that reader's user, read-only for others: a lock needs no more than a descriptor
    open to read (the run exited 74, "cannot lock", as long as that file stayed).
    """
    flags = os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, os.O_RDWR | flags, 0o644)
    except PermissionError:  # another user's file
        fd = os.open(path, os.O_RDONLY | flags)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BaseException:
        os.close(fd)
        raise
    return fd


class SourceChanged(Exception):
    """A document's file cannot be read as it was found: the message says why."""


def _read_at_most(handle: BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``handle`` (tests replace it to change a file mid-read)."""
    return handle.read(limit)


def _open_source(entry: Entry) -> int:
    """A read-only descriptor of ``entry``'s file, never blocking on a FIFO and never
    following a symbolic link that was not one when the file was found. Raises
    :class:`SourceChanged`."""
    try:
        fd = open_nonblocking(entry.path, follow_links=entry.link)
    except FileNotFoundError:
        raise SourceChanged("deleted during the run, before it was read") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP and not entry.link:
            raise SourceChanged("replaced by a symbolic link during the run") from None
        raise SourceChanged(f"cannot read: {exc.strerror}") from None
    return fd


# What a corpus entry that is no regular file is, for the message that names it.
FILE_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
              (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
              (stat.S_ISDIR, "a folder"))


def not_regular(mode: int | None) -> str:
    """Why an entry of ``mode`` (None: gone) is not read, and what to do.

    >>> not_regular(stat.S_IFIFO | 0o644)
    'not a regular file but a FIFO (named pipe): only files are read; save its content as a file'
    >>> not_regular(None)
    'not a regular file'
    """
    kind = next((name for test, name in FILE_KINDS if mode is not None and test(mode)), "")
    if not kind:
        return "not a regular file"
    return f"not a regular file but {kind}: only files are read; save its content as a file"


def stat_key(st: os.stat_result) -> str:
    """What identifies one version of a file without reading it: size, modification
    and change times (ns), inode and device. Rewriting a file changes its ctime, which
    no program can set back (``touch -d`` and ``os.utime`` restore only mtime and
    atime), and replacing it (an editor's rename) changes its inode.

    >>> from types import SimpleNamespace as Stat
    >>> stat_key(Stat(st_size=12, st_mtime_ns=2, st_ctime_ns=3, st_ino=7, st_dev=2049))
    '12:2:3:7:2049'
    """
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"


def trusted_stat_key(st: os.stat_result, now_ns: int) -> str:
    """:func:`stat_key`, when the file was last changed (its ctime, which the kernel
    sets on every write) :data:`STAT_TRUST_NS` or more before ``now_ns`` (a wall-clock
    time taken before ``st``); else ``""``. A modification time in the future (kept
    from a server by ``curl -R``) made every rerun read the file again.

    >>> from types import SimpleNamespace as Stat
    >>> st = Stat(st_size=12, st_mtime_ns=10**9, st_ctime_ns=10**9, st_ino=7, st_dev=2049)
    >>> trusted_stat_key(st, 4 * 10**9), trusted_stat_key(st, 2 * 10**9)
    ('12:1000000000:1000000000:7:2049', '')
    """
    if st.st_ctime_ns > now_ns - STAT_TRUST_NS:
        return ""
    return stat_key(st)


def read_source(entry: Entry, max_bytes: int, stats: dict[str, str] | None = None) -> bytes:
    """The bytes of ``entry``'s file, read as one consistent version of it.

    Between :func:`discover` and this read the file may have been deleted, grown,
    truncated, rewritten or replaced; the file is checked again on the open handle:
    a regular file (a FIFO put in its place never blocks the run), no symbolic
    link unless it was one when found, at most ``max_bytes`` (never more is read),
    and the same size and modification time before and after the read, so that
    the bytes returned, whose hash the state records, are a whole version of the
    file. Raises :class:`SourceChanged` otherwise. ``stats``: gets ``entry.doc`` ->
    the :func:`trusted_stat_key` of the version read.
    """
    now_ns = time.time_ns()
    fd = _open_source(entry)
    with os.fdopen(fd, "rb") as handle:
        try:
            before = os.fstat(fd)
            if not stat.S_ISREG(before.st_mode):
                raise SourceChanged(not_regular(before.st_mode))
            if before.st_size > max_bytes:
                raise SourceChanged(f"larger than max_file_bytes ({before.st_size} > {max_bytes})")
            # What it holds and a byte more (a file that grew): never a buffer of
            # max_file_bytes for a small file (a large setting failed with MemoryError).
            data = _read_at_most(handle, min(before.st_size, max_bytes) + 1)
            after = os.fstat(fd)
        except OSError as exc:
            raise SourceChanged(f"cannot read: {exc.strerror}") from None
    if len(data) > max_bytes or after.st_size > max_bytes:
        raise SourceChanged(f"larger than max_file_bytes (grew past {max_bytes} while read)")
    if (len(data), after.st_size, after.st_mtime_ns) != (before.st_size,) * 2 + (
            before.st_mtime_ns,):
        raise SourceChanged("changed while it was being read; the next run processes it")
    if stats is not None:
        stats[entry.doc] = trusted_stat_key(before, now_ns)
    return data


def file_sha256(entry: Entry) -> str:
    """The hash of a record file's bytes, read in chunks with :func:`read_source`'s
    checks (a regular file, no new symbolic link). Raises :class:`SourceChanged`."""
    fd = _open_source(entry)
    digest = hashlib.sha256()
    with os.fdopen(fd, "rb") as handle:
        try:
            if not stat.S_ISREG(mode := os.fstat(fd).st_mode):
                raise SourceChanged(not_regular(mode))
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        except OSError as exc:
            raise SourceChanged(f"cannot read: {exc.strerror}") from None
    return digest.hexdigest()


def fingerprint(config: Config) -> str:
    """What decides a document's outputs besides its bytes: config, models, version."""
    return fingerprint_of(fingerprint_parts(config))


def fingerprint_parts(config: Config) -> dict[str, Any]:
    """What :func:`fingerprint` hashes, by name (stored with it, to say what changed)."""
    from pipeline.engines.base import installed_models

    return {"version": __version__, "config": config.fingerprint(),
            "models": installed_models(targets=config.targets)}


def fingerprint_of(parts: dict[str, Any]) -> str:
    blob = json.dumps([parts["version"], parts["config"], parts["models"]], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _dotted(value: Any, where: str = "") -> dict[str, Any]:
    """A configuration's values by dotted key (``translate.beam_size``)."""
    if not isinstance(value, dict):
        return {where: value}
    flat: dict[str, Any] = {}
    for key, item in value.items():
        flat.update(_dotted(item, f"{where}.{key}" if where else str(key)))
    return flat


def _brief(value: Any, most: int = 60) -> str:
    """``repr(value)``, cut to ``most`` characters (a list of 30 detection candidates).

    >>> _brief(["en", "de"]), _brief(list(range(30)), 20)
    ("['en', 'de']", '[0, 1, 2, 3, 4, 5, …')
    """
    shown_value = repr(value)
    return shown_value if len(shown_value) <= most else shown_value[:most - 1] + "…"


def what_changed(before: dict[str, Any] | None, now: dict[str, Any]) -> tuple[list[str], str]:
    """Why documents with unchanged bytes are processed again: the names of what changed
    between the fingerprint's parts they were processed with (``before``, None when the
    run that processed them did not record them) and this run's, and a sentence.

    >>> was = {"version": "1", "config": {"targets": ["en"], "translate": {"beam_size": 4}},
    ...        "models": ["a"], "config_file": "/srv/a.toml"}
    >>> now = {"version": "1", "config": {"targets": ["en", "de"], "translate": {"beam_size": 4}},
    ...        "models": ["a"], "config_file": "no config file"}
    >>> changed, why = what_changed(was, now)
    >>> changed
    ['targets']
    >>> print(why)  # doctest: +NORMALIZE_WHITESPACE
    the configuration changed: targets ['en'] -> ['en', 'de'] (read from: no config file;
    before: /srv/a.toml)
    >>> what_changed({**now, "models": ["a", "b"], "version": "0"}, now)[1]
    'the pipeline version changed: 0 -> 1; the installed models changed: 1 removed (b)'
    >>> print(what_changed(None, now)[1])  # doctest: +NORMALIZE_WHITESPACE
    the configuration, the installed models or the pipeline version changed (which one
    was not recorded: the run that processed them was older)
    """
    if not isinstance(before, dict):
        return [], ("the configuration, the installed models or the pipeline version changed "
                    "(which one was not recorded: the run that processed them was older)")
    changed, said = [], []
    if before.get("version") != now["version"]:
        changed.append("version")
        said.append(f"the pipeline version changed: {before.get('version')} -> {now['version']}")
    old, new = _dotted(before.get("config", {})), _dotted(now["config"])
    keys = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    if keys:
        changed += keys
        values = "; ".join(f"{k} {_brief(old.get(k))} -> {_brief(new.get(k))}" for k in keys)
        source = now.get("config_file", "")
        if source and before.get("config_file") != source:
            values += (f" (read from: {shown(source)}; before: "
                       f"{shown(before.get('config_file') or 'unknown')})")
        elif source:
            values += f" (read from: {shown(source)})"
        said.append(f"the configuration changed: {values}")
    added = sorted(set(now["models"]) - set(before.get("models", [])))
    removed = sorted(set(before.get("models", [])) - set(now["models"]))
    if added or removed:
        changed.append("models")
        parts = [f"{len(names)} {what} ({', '.join(names)})"
                 for names, what in ((added, "added"), (removed, "removed")) if names]
        said.append(f"the installed models changed: {'; '.join(parts)}")
    return changed, "; ".join(said) or "the fingerprint changed"


class Runner:
    """One run of the pipeline over ``corpus`` into ``out``."""

    def __init__(self, corpus: Path, out: Path, config: Config, options: RunOptions | None = None,
                 log: RunLog | None = None, engine=None):
        self.corpus, self.out, self.config = corpus, out, config
        self.options = options or RunOptions()
        self.log = log or RunLog()
        self.engine = engine  # injected by tests; otherwise each worker makes its own
        self.stop_signal: int | None = None
        self._said_stopping = False  # whether the stop was logged
        self._listing_cut = False  # whether a stop ended the listing of the corpus
        self._abandonable = False  # a signal may abandon what runs now (a shard in flight)
        self._handlers: dict[int, Any] = {}  # the handlers ours replaced
        self._terminals: list[int] = []  # stdout, stderr when they are terminals
        self._executor: Any = None  # while shards run
        self.quarantined: list[dict] = []
        self.skipped: list[dict] = []
        # files changed less than [run] min_age_s ago: left for the next run (report.json)
        self.deferred: list[dict] = []
        # record files whose copies this run did not rebuild, and why (report.json)
        self.copies_not_rebuilt: list[dict] = []
        self.counts: Counter[str] = Counter()
        # Documents sent to be processed: their hash, and their record file ("" for none).
        self._pending: dict[str, tuple[str, str]] = {}
        self._current: set[str] = set()  # documents processed or found unchanged by this run
        self._found: set[str] = set()  # every document the readers yielded
        self._record_files: dict[str, str] = {}  # record file -> hash of its bytes as read
        self._complete: set[str] = set()  # record files read to their end
        self._kept: set[str] = set()  # stored records kept after a record file's cut
        self._record_counts: Counter[str] = Counter()  # record file -> records found
        self._touched: set[str] = set()  # record files with a record processed or pruned
        self.corpus_documents = 0  # documents found in the corpus
        self.pruned: list[str] = []
        self._unlisted: list[str] = []  # folders that cannot be listed, with a final /
        self._empty: list[Entry] = []  # folders of CORPUS that hold nothing
        # Output name (relative to clean/ and translations/<lang>/) -> the document kept
        # with it, and the documents quarantined because their copy's name is taken
        # (_collisions).
        self._claimed: dict[str, str] = {}
        self._collided: set[str] = set()
        self.translation: dict = {}  # this run's translation counts, summed over shards
        self.pipeline: Pipeline | None = None  # built by run(), before any work
        self.stages: list = []
        self.started = 0.0  # time.perf_counter() at the start: timings count from it
        self.timings: dict[str, float] = {}  # seconds per phase of the run
        self._fp = ""  # fingerprint(config), computed once
        self._fp_parts: dict[str, Any] = {}  # what it hashes
        # Documents with unchanged bytes processed again, by the fingerprint they had.
        self._redone: Counter[str] = Counter()
        self.redone: list[dict] = []  # why (report.json)
        self._stages_built = False  # False while build_pipeline was given earlier candidates
        self._file_stats: dict[str, str] = {}  # doc -> stat key stored with its hash
        self._read_stats: dict[str, str] = {}  # doc -> trusted stat key of the bytes read
        self._restat: dict[str, str] = {}  # unchanged documents whose stat is to be stored
        self._sections: SectionSpool | None = None  # review sections the workers rendered

    # -- entry point -------------------------------------------------------------
    def run(self) -> RunResult:
        self.started = self.options.started or time.perf_counter()
        with self.log.active():
            try:
                return self._run()
            except StateError as exc:  # locked by another program (75), or a disk error
                raise (LockedError if exc.locked else OutputError)(str(exc)) from None

    def _run(self) -> RunResult:
        # Paths as the log shows them: a line end in a name must not split the line.
        corpus, out = shown(str(self.corpus)), shown(str(self.out))
        if not self.corpus.is_dir():
            if self.corpus.exists():  # `pipeline run article.txt`
                raise UsageError(f"{corpus} is a file, not a folder: CORPUS is a folder "
                                 "of documents; put the file in one (mkdir news && mv "
                                 f"{shown(shlex.quote(str(self.corpus)))} news/) and run "
                                 "`pipeline run news`")
            raise UsageError(f"corpus directory {corpus} does not exist or is not a directory")
        if not os.access(self.corpus, os.R_OK | os.X_OK):
            raise UsageError(f"corpus directory {corpus} cannot be read (permission "
                             "denied); give this user read access to it")
        if self.out.resolve().is_relative_to(self.corpus.resolve()):
            raise UsageError(f"output directory {out} is inside the corpus; "
                             "choose --out elsewhere")
        # Configuration errors before any work; an in-process worker reuses these stages.
        self.config.validate()
        try:
            check_targets(self.config.targets)
        except ValueError as exc:
            raise ConfigError(f"configuration: {exc}") from None
        earlier = self._earlier_candidates()
        self.pipeline = build_pipeline(self.config, build_stages, candidates=earlier)
        self.stages = self.pipeline.stages
        self._stages_built = earlier is None
        if self.options.dry_run:
            return self._dry_run()
        self._install_handlers()
        try:
            return self._run_here()
        finally:
            for sig, handler in self._handlers.items():
                signal.signal(sig, handler)

    def _run_here(self) -> RunResult:
        out = shown(str(self.out))  # as the log shows it
        try:
            (self.out / STATE_DIR).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            # A path that cannot be a folder is the command's mistake (2); a folder the
            # disk refuses (permissions, read-only, full) is OUT that cannot be written (74).
            refused = exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC,
                                    errno.EDQUOT, errno.EIO)
            raise (OutputError if refused else UsageError)(
                f"cannot create output directory {out}: {exc.strerror}") from None
        try:
            lock = lock_out(self.out / STATE_DIR / "lock")
        except BlockingIOError:
            raise LockedError(f"{self._holder()} holds the lock of {out}; try again "
                              "when it has finished") from None
        except OSError as exc:
            raise OutputError(f"cannot lock {out}: {exc.strerror or exc}") from None
        try:
            atomic_write(self.out / STATE_DIR / "lock.json", json.dumps(
                {"pid": os.getpid(), "host": socket.gethostname(),
                 "started": int(time.time())}) + "\n")
            return self._run_locked()
        except (OSError, sqlite3.DatabaseError) as exc:
            if isinstance(exc, sqlite3.DatabaseError) and is_corruption(exc):
                state = self.out / STATE_DIR / "state.sqlite"
                raise OutputError(
                    f"the state database {shown(str(state))} is damaged ({exc}); move it aside "
                    "and run again: every document will be processed again, no output is lost"
                ) from None
            if isinstance(exc, sqlite3.DatabaseError) and not isinstance(
                    exc, sqlite3.OperationalError):
                raise  # neither the disk's nor another program's doing: a bug
            if isinstance(exc, sqlite3.Error) and StateError(self.out, exc).locked:
                # another program took the lock of a database under OUT during the run
                raise LockedError(
                    f"a database under {shown(str(self.out / STATE_DIR))} was locked by another "
                    f"program ({exc}); documents already committed are kept: run again when it is "
                    "released"
                ) from None
            reason = (getattr(exc, "strerror", None) or str(exc)) + size_limit()
            raise OutputError(
                f"cannot write to {out}: {reason}. Outputs and state from earlier runs "
                "are intact (files are replaced only when complete); free space or fix "
                "permissions and run again: documents already committed are not redone"
            ) from None
        finally:
            os.close(lock)  # the kernel releases the lock (as it does when the run dies)

    def _fingerprint(self) -> str:
        if not self._fp:
            self._fp_parts = fingerprint_parts(self.config)
            self._fp = fingerprint_of(self._fp_parts)
        return self._fp

    def _earlier_candidates(self) -> list[str] | None:
        """The detection candidates of the last run into OUT that built its stages, when
        that run had this run's fingerprint (configuration, models, version), else None.

        The stages are then built only once a document needs processing
        (:meth:`_ensure_stages`): a rerun that finds nothing new imports no stage, no
        lingua, no word list. The configuration was checked by the stages of that run
        (the same values: they are in the fingerprint), and a run with documents to
        process still builds them before processing any.
        """
        path = self.out / STATE_DIR / "state.sqlite"
        if self.options.force or self.options.dry_run or not path.is_file():
            return None
        try:
            stored = json.loads(StateStore.read_only_meta(path, STAGES_META) or "null")
        except ValueError:
            return None
        if not isinstance(stored, dict) or stored.get("fingerprint") != self._fingerprint():
            return None
        candidates = stored.get("candidates")
        if isinstance(candidates, list) and all(isinstance(c, str) for c in candidates):
            return candidates
        return None

    def _ensure_stages(self) -> None:
        """Build the stages that :meth:`_run` left for later, now that a document needs
        them (the same configuration and models: the same candidates)."""
        if self._stages_built:
            return
        assert self.pipeline is not None
        built = build_pipeline(self.config, build_stages)
        self.pipeline.stages = self.stages = built.stages
        self.pipeline.candidates, self.pipeline.installed = built.candidates, built.installed
        self._stages_built = True

    def _holder(self) -> str:
        """Who holds OUT's lock, from the ``lock.json`` its last run wrote: that run, for
        as long as it has been running (a run that hangs blocks every later one), or,
        when that run no longer exists on this host, another program (a reader holding
        the lock with ``flock`` while it reads the outputs)."""
        path = self.out / STATE_DIR / "lock.json"
        try:
            info = json.loads(path.read_text())
            pid, host = int(info["pid"]), str(info["host"])
        except (OSError, ValueError, KeyError, TypeError):
            return "another pipeline run (holder unknown)"
        if host == socket.gethostname() and not process_running(pid):
            return (f"another program (the last run, pid {pid}, has ended; a reader "
                    f"holding {shown(str(path.with_name('lock')))} with flock?)")
        started = info.get("started")
        since = (f", running for {duration(time.time() - started)}"
                 if isinstance(started, int | float) else "")
        return f"another pipeline run (pid {pid} on {shown(host)}{since})"

    # -- the run -----------------------------------------------------------------
    def _run_locked(self) -> RunResult:
        self._phase("start", self.started)  # imports, configuration, stages, the lock
        started = time.perf_counter()
        sweep_temporary(self.out)
        state = StateStore(self.out / STATE_DIR / "state.sqlite")
        try:
            # Until this run has rebuilt the aggregates (or found nothing to change), they
            # may lag the state: a run stopped on the way (second signal, SIGKILL) leaves
            # the mark, and the next run rebuilds them even with nothing new to process.
            stale = state.get_meta("aggregates") == "stale"
            state.set_meta("aggregates", "stale")
            known = state.known()
            self._file_stats = state.file_stats()
            todo = self._sort_entries(discover(self.corpus, self.config.max_file_bytes))
            for item in self.deferred:
                self.log.event("deferred", f"deferred: {shown(item['doc'])}: {item['reason']}",
                               doc=item["doc"], age_s=item["age_s"])
            self._empty_folders(known, self._file_stats)
            self._drop_collided(known, state)
            self._check_prune(todo, len(known))
            self.corpus_documents = sum(map(self._estimate, todo)) + len(self.quarantined)
            new = len(todo) if self.options.force else sum(e.doc not in known for e in todo)
            if new > self.options.shard_docs:  # several shards of work for sure
                start_early(self.options.executor, self.options.workers)
            fp = self._fingerprint()
            found = self.corpus_documents - len(self.quarantined)  # records: estimated
            # A record file's count before it is read is its lines (a .gz: its size / 1,000;
            # a CSV field may hold a line break): said as such. A Parquet file's is exact.
            rough = any(e.reader == "records" and not e.doc.lower().endswith(".parquet")
                        for e in todo)
            noun = "document" if found == 1 and not rough else "documents"
            # Files quarantined before they were read (over max_file_bytes, unreadable)
            # are documents of the corpus too: "0 documents" then "0/1 clean" misled.
            aside = f" ({len(self.quarantined)} quarantined)" if self.quarantined else ""
            if self._listing_cut:
                aside += (f", listed before {signal.Signals(self.stop_signal or 15).name} "
                          "stopped the listing")
            self.log.event("start", f"{'about ' if rough else ''}{found} {noun} in "
                           f"{shown(str(self.corpus))}{aside}", documents=found, estimated=rough,
                           quarantined=len(self.quarantined), out=str(self.out))
            self._phase("discover", started)
            started = time.perf_counter()
            discovered = len(self.quarantined)
            if self.options.prune:  # deleted files first: a new one may take a copy's name
                sources = state.record_sources()  # records: known once their file is read
                gone = self._deleted(known, todo, sources)
                self._prune([doc for doc in gone if doc not in sources], state)
                known = {doc: v for doc, v in known.items() if doc not in self.pruned}
            self._process(todo, known, fp, state)
            if self.stop_signal is not None:  # also when no shard was under way
                self._say_stopping()
            self._say_redone(state)
            if self._restat:  # found unchanged by their hash: next time by their stat
                with state.transaction():
                    for doc, key in self._restat.items():
                        state.put_file_stat(doc, key)
            if self._stages_built:
                state.set_meta(STAGES_META, json.dumps(
                    {"fingerprint": fp, "candidates": list(self.pipeline.candidates)}))
            self._phase("process", started)  # the writing in it is taken out in _timings
            started = time.perf_counter()
            if self.stop_signal is None:  # every file read: the exact count
                # The stored records a record file's cut keeps are the corpus's too: its
                # documents and ok count them as its totals do.
                self._kept = self._kept_records(known, todo, state.record_sources())
                self._current.update(self._kept)
                self.corpus_documents = len(self._kept) + discovered + sum(
                    1 if e.reader != "records" else self._record_counts[e.doc] or
                    int(e.doc not in self._complete) for e in todo)
            deleted = self._deleted(known, todo, state.record_sources())
            if self.options.prune:
                self._prune(deleted, state)
                self._prune_record_files(todo, state)
            if self.stop_signal is None:  # else the next run rebuilds them
                self._write_record_copies(state)
            if (self.counts["processed"] or self.counts["pruned"] or stale
                    or not self._aggregates_exist()):
                self._write_aggregates(state)
            state.set_meta("aggregates", "fresh")
            self._phase("aggregates", started)
            return self._report(state, [] if self.options.prune else deleted, self.timings)
        finally:
            state.close()

    def _say_redone(self, state: StateStore) -> None:
        """Record what this run's fingerprint stands for (configuration, its file, models,
        version), and say why the documents whose bytes had not changed were processed
        again: a scheduled run from another folder (another pipeline.toml, or none)
        redoes the corpus, and its log says so once, with the difference."""
        if self.counts["processed"]:
            now = {**self._fp_parts, "config_file": self.options.config_file}
            state.set_meta(f"fingerprint:{self._fp}", json.dumps(now, sort_keys=True))
        for count, noun, changed, why in self._why_redone(state.get_meta):
            self.log.event("redone", f"{count} unchanged {noun} processed again: {why}",
                           documents=count, changed=changed,
                           config_file=self.options.config_file)
            self.redone.append({"documents": count, "changed": changed, "reason": why})

    def _why_redone(self, meta: Callable[[str], str | None]
                    ) -> Iterator[tuple[int, str, list[str], str]]:
        """For each fingerprint the documents with unchanged bytes were processed with,
        most documents first: how many, "document(s)", what changed since and a sentence
        (:func:`what_changed`); ``meta`` reads the state's meta table."""
        now = {**self._fp_parts, "config_file": self.options.config_file}
        for old, count in sorted(self._redone.items(), key=lambda kv: (-kv[1], kv[0])):
            try:
                before = json.loads(meta(f"fingerprint:{old}") or "null")
            except ValueError:
                before = None
            changed, why = what_changed(before, now)
            yield count, "document" if count == 1 else "documents", changed, why

    def _phase(self, name: str, since: float) -> None:
        """Count the time since ``since`` (a perf_counter) to the phase ``name``."""
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - since

    def _timings(self) -> dict[str, float]:
        """report.json's ``timings_s``: the whole run, then each phase, in seconds.

        ``translate`` is summed over shards from the workers' own clocks: it is part
        of ``process``, and with several workers it may exceed it. So is ``sections``:
        the CPU seconds the workers spent rendering the review report's sections of the
        documents they processed (the report's share of ``process``).
        """
        phases = ("start", "discover", "process", "translate", "sections", "write",
                  "aggregates", "pages")
        timings = {"total": time.perf_counter() - self.started}
        timings |= {name: self.timings.get(name, 0.0) for name in phases}
        timings["process"] -= timings["write"]  # reading, cleanup, translation: not writing
        return {name: round(seconds, 3) for name, seconds in timings.items()}

    def _estimate(self, entry: Entry) -> int:
        """How many documents a file holds, for progress (a record file's are counted
        exactly once it has been read)."""
        if entry.reader != "records":
            return 1
        return self.pipeline.readers["records"].estimate(entry.doc, entry.path)

    def _kept_records(self, known: dict, todo: list[Entry], sources: dict[str, str]
                      ) -> set[str]:
        """Stored records of the record files not read to their end (a cut, or a file
        quarantined whole) that this run did not find, and the stored documents of the
        files left for the next run (deferred): kept as they were, never taken for
        deleted (:meth:`_deleted`)."""
        deferred = self._deferred_files()
        cut = {e.doc for e in todo if e.reader == "records" and e.doc not in self._complete}
        cut |= deferred
        return {doc for doc in known if (sources.get(doc) in cut or doc in deferred)
                and doc not in self._found}

    def _deleted(self, known: dict, todo: list[Entry], sources: dict[str, str]) -> list[str]:
        """Stored documents no longer in the corpus: their file is gone, or (a record)
        its file, read to its end, no longer holds it (not those quarantined for a
        copy's name: :meth:`_collisions`)."""
        files = {e.doc for e in todo} | self._collided | self._deferred_files()
        deleted = []
        for doc in known:
            if doc.startswith(tuple(self._unlisted)):  # in a folder that cannot be read
                continue
            source = sources.get(doc)
            if source is None:
                gone = doc not in files
            else:
                gone = source not in files or (source in self._complete
                                               and doc not in self._found)
            if gone:
                deleted.append(doc)
        return sorted(deleted)

    def _prune(self, deleted: list[str], state: StateStore) -> None:
        """Remove the outputs and the state rows of documents deleted from the corpus,
        and the folders under clean/ and translations/ this leaves empty. A record's
        file is rebuilt without it (its copies are the file's, not the record's)."""
        sources = state.record_sources()
        for doc in deleted:
            if doc in sources:
                self._touched.add(sources[doc])
                outputs = []
            else:  # never another document's copy of the same name (_collisions)
                outputs = [o for o in state.outputs(doc) if not self._claimed_output(o, state)]
            self._remove_outputs(outputs)
            self._remove_empty_folders(outputs)
            state.delete(doc)
            self.pruned.append(doc)
            self.log.event("pruned", f"pruned: {shown(doc)} ({len(outputs)} output files removed)",
                           doc=doc, removed=outputs)
        self.counts["pruned"] += len(deleted)

    def _prune_record_files(self, todo: list[Entry], state: StateStore) -> None:
        """Remove the copies of record files deleted from the corpus."""
        files = {e.doc for e in todo} | self._deferred_files()
        for path, (_, outputs) in sorted(state.record_files().items()):
            if path not in files and not path.startswith(tuple(self._unlisted)):
                self._remove_outputs(outputs)
                self._remove_empty_folders(outputs)
                state.delete_record_file(path)

    def _write_record_copies(self, state: StateStore) -> None:
        """Rebuild the mirrored copies of each record file read to its end whose bytes
        changed, or with a record processed or pruned, or whose copies are missing."""
        stored = state.record_files()
        reader = self.pipeline.readers["records"]
        for rel in sorted(self._complete):
            sha = self._record_files[rel]
            before = stored.get(rel)
            if not (self.options.force or before is None or before[0] != sha
                    or rel in self._touched
                    or not all((self.out / o).is_file() for o in before[1])):
                continue
            path = self.corpus / rel
            # Each record's texts are looked up as the copy is written: the memory
            # this takes does not grow with the file.
            outputs = [f"clean/{rel}"] + [
                f"translations/{t}/{rel}" for t in self.config.targets
                if state.has_output(rel, f"translations/{t}/{rel}")
            ]
            try:
                if file_sha256(Entry(rel, path)) != sha:
                    raise SourceChanged("changed during the run; the next run processes it")
                from pipeline.writers.records import write_copies

                written = write_copies(self.out, rel, path, reader, outputs, state.part)
            except (SourceChanged, RecordsError) as exc:
                self.copies_not_rebuilt.append({"doc": rel, "reason": str(exc)})
                self.log.event("copies", f"copies of {shown(rel)} not rebuilt: {exc}", doc=rel)
                continue
            except OSError as exc:  # the file's own (a folder of OUT in the way): it alone
                if exc.errno not in DOCUMENT_WRITE_ERRORS:
                    raise
                where = self._under_out(exc.filename2 or exc.filename) or "its copies"
                reason = copy_refused(where, exc)
                self.quarantined.append({"doc": rel, "reason": reason})
                self.log.event("quarantined", f"quarantined: {shown(rel)}: {reason}", doc=rel,
                               errors=[reason])
                continue
            self._remove_outputs(set(before[1] if before else []) - set(written))
            state.put_record_file(rel, sha, written)

    def _remove_empty_folders(self, outputs: Iterable[str]) -> None:
        """Remove the now empty folders that held ``outputs``, up to (not including)
        OUT/clean and OUT/translations."""
        for rel in outputs:
            parts = Path(rel).parts
            if parts[:1] not in (("clean",), ("translations",)):
                continue
            for depth in range(len(parts) - 1, 1, -1):
                folder = self.out.joinpath(*parts[:depth])
                try:
                    folder.rmdir()
                except OSError:  # not empty (or already gone): so are its parents
                    break

    def _install_handlers(self) -> None:
        """Handle the stop signals, but those ignored when the run started: a shell
        ignores SIGINT in a script's background job (`pipeline run &`), nohup SIGHUP;
        a Ctrl-C or a closed terminal meant for others must not stop the run."""
        for sig in EXIT_SIGNAL:
            if self._handlers.get(sig, signal.getsignal(sig)) == signal.SIG_IGN:
                continue
            previous = signal.signal(sig, self._on_signal)
            self._handlers.setdefault(sig, previous)
        self._terminals = [fd for fd in (1, 2) if os.isatty(fd)]

    def _on_signal(self, signum: int, frame) -> None:
        """SIGINT, SIGTERM: stop. The first signal abandons the shards in flight when
        the run is waiting for them (else the commit in progress ends first: it is
        quick); the report is then written. A second one stops at once, wherever.

        Nothing is printed here: a handler that writes while the interrupted code is
        writing to the same stream fails (reentrant call).
        """
        if signum == signal.SIGHUP:
            self._leave_hung_up_terminals()
        if self.stop_signal is None:
            self.stop_signal = signum
            if not self._abandonable:
                return
        elif self._executor is not None:  # a second signal: workers are stopped first
            kill = getattr(self._executor, "kill_workers", None)
            if kill is not None:
                kill()
        self._abandonable = False
        raise Interrupted(self.stop_signal)

    def _leave_hung_up_terminals(self) -> None:
        """Point stdout and stderr at /dev/null where they were a terminal that has hung
        up (closed, the ssh session dropped: SIGHUP): every write there fails (EIO),
        which would end the stop with an error instead of the report. A terminal
        still there (a SIGHUP sent by hand) is kept."""
        for fd in self._terminals:
            if os.isatty(fd):
                continue
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, fd)
                os.close(devnull)
            except OSError:
                pass

    def _sort_entries(self, entries: Iterable[Entry]) -> list[Entry]:
        """Documents to consider; other files go to ``skipped``, bad ones to ``quarantined``."""
        todo = []
        for entry in entries:
            if self.stop_signal is not None:
                # Stopped: the rest of the corpus is not listed (a million files, a slow
                # share: minutes). What was not listed is unknown, not deleted: every
                # stored document is kept, as for a corpus that cannot be listed.
                self._listing_cut = True
                self._unlisted.append("")
                return todo
            if entry.empty:
                self._empty.append(entry)
            elif entry.skip:
                suffix = SKIP_GROUPS.get(entry.skip) or suffix_of(entry.doc)
                self.skipped.append({"path": entry.doc, "suffix": suffix, "reason": entry.skip})
            elif entry.problem:
                self.quarantined.append({"doc": entry.doc, "reason": entry.problem})
                if entry.folder:  # "" for CORPUS itself: every stored document kept
                    self._unlisted.append("" if entry.doc == "." else entry.doc + "/")
            elif (age := self._too_young(entry)) is not None and not self._as_read(entry):
                min_age = self.config.run.min_age_s
                self.deferred.append({
                    "doc": entry.doc, "age_s": round(age, 1),
                    "reason": f"modified {max(0, age):.0f} s ago, less than the minimum age "
                              f"({min_age:g} s): left for the next run (a file still being "
                              "written is never read half); its earlier outputs are kept"})
            else:
                if entry.stat is not None and entry.doc in self._file_stats:
                    entry.key = stat_key(entry.stat)
                entry.stat = None
                todo.append(entry)
        return self._collisions(todo)

    def _too_young(self, entry: Entry) -> float | None:
        """The seconds since ``entry``'s file was last modified, when fewer than ``[run]
        min_age_s``: the file waits for the next run (None: old enough, or no minimum).

        Its modification time, as ``find -mmin`` and other tools' minimum file age
        count: every write sets it, and ``rsync -t`` or ``cp -p`` set it back only once
        the copy is whole. A modification time in the future (``curl -R`` from a server
        whose clock is ahead) would hold the file back until then: its change time
        (when that time was set) counts instead."""
        min_age = self.config.run.min_age_s
        if not min_age or entry.stat is None:
            return None
        now = time.time_ns()
        st = entry.stat
        changed = st.st_mtime_ns if st.st_mtime_ns <= now else st.st_ctime_ns
        age = (now - changed) / 1e9
        return age if age < min_age else None

    def _as_read(self, entry: Entry) -> bool:
        """Whether ``entry``'s file is as an earlier run read it (its stat as recorded
        with its hash): young by its time (``min_age_s`` just set or raised) but not
        written since, it is not deferred: it counts as unchanged (or, with another
        configuration, is processed again from the same bytes)."""
        return (entry.stat is not None and entry.reader != "records"
                and self._file_stats.get(entry.doc) == stat_key(entry.stat))

    def _deferred_files(self) -> set[str]:
        return {item["doc"] for item in self.deferred}

    def _empty_folders(self, known: dict, file_stats: dict[str, str]) -> None:
        """Keep the stored documents of each empty folder of CORPUS whose files were read
        from another file system (the device in their ``file_stats``) than the folder's
        own: a network share whose mount failed leaves its mount point, empty, and
        ``--prune`` removed every output of the documents under it, translated at a cost.
        The folder is quarantined saying so (exit 3) and its documents are left as they
        were, as those of a folder that cannot be read: never taken for deleted. A
        folder emptied by deleting its files (a retention job) is not kept: its files
        were on its own file system."""
        if not self._empty:
            return
        devices = {entry.doc: str(entry.stat.st_dev) for entry in self._empty if entry.stat}
        held: Counter[str] = Counter()  # empty folder -> its documents read elsewhere
        for doc, key in file_stats.items():
            parts = doc.split("/")
            device = key.rsplit(":", 1)[-1]
            for folder in ("/".join(parts[:depth]) for depth in range(1, len(parts))):
                if folder in devices and device != devices[folder] and doc in known:
                    held[folder] += 1
        for folder, count in sorted(held.items()):
            self.quarantined.append({"doc": folder, "reason": (
                f"empty folder, while the {count} document{'s' * (count != 1)} OUT holds "
                f"from it {'was' if count == 1 else 'were'} read from another file system "
                "mounted there (a share that is not mounted?): their outputs are kept as "
                "they were, never pruned; mount "
                "it again, or, if it is gone for good, remove the folder, and --prune "
                "removes them")})
            self._unlisted.append(folder + "/")

    def _check_prune(self, todo: list[Entry], stored: int) -> None:
        """Refuse ``--prune`` of every stored document when the corpus holds no document
        at all: a mistyped or unmounted corpus path would wipe the outputs."""
        if (self.options.prune and not todo and not self.deferred and stored
                and not self._listing_cut):
            raise UsageError(
                f"--prune refused: {shown(str(self.corpus))} yields no document (no file a "
                f"reader takes and can read) while {shown(str(self.out))} holds the outputs of "
                f"{stored} documents; check the corpus path (is it mounted?). To remove them "
                f"all, delete {shown(str(self.out))} instead")

    def _collisions(self, todo: list[Entry]) -> list[Entry]:
        """``todo`` less the files whose copies would be named as another's (a page's
        ``a.html`` -> ``a.html.txt`` beside a text ``a.html.txt``) or as a folder of the
        corpus (``a.html`` beside a folder ``a.html.txt/``); those are quarantined.

        Decided on the whole corpus, not in the order files are processed: a file whose
        own name is the copy's name keeps it, a corpus folder keeps its name, else the
        first name in sorted order keeps it. A file whose name reads as a record of a
        record file (``x.jsonl#1.txt`` beside ``x.jsonl``) is quarantined too.
        """
        losers: dict[str, str] = {}
        records = {entry.doc for entry in todo if entry.reader == "records"}
        for entry in todo:  # 'x.jsonl#1.txt' would be the document of x.jsonl's record 1.txt
            if not records or "#" not in entry.doc:
                continue
            heads = (entry.doc[:i] for i, c in enumerate(entry.doc) if c == "#")
            owner = next((head for head in heads if head in records), None)
            if owner is not None:
                losers[entry.doc] = (f"its name reads as a record of {owner} "
                                     f"({owner}#<id>); rename it")
        claims: dict[str, list[str]] = {}
        for entry in todo:
            if entry.doc in losers:
                continue
            name = text_output(entry.doc) if entry.reader == "html" else entry.doc
            claims.setdefault(name, []).append(entry.doc)
        folders = {"/".join(parts[:i]) for name in claims
                   for parts in [name.split("/")] for i in range(1, len(parts))}
        for name, docs in claims.items():
            if name in folders:
                for doc in docs:
                    losers[doc] = (f"its clean copy would be named {name}, a folder of the "
                                   "corpus; rename the file or the folder")
                continue
            keeper = name if name in docs else min(docs)
            for doc in docs:
                if doc != keeper:
                    losers[doc] = (f"its clean copy would be named {name}, as {keeper}'s; "
                                   "rename one of them")
        for doc in sorted(losers):
            self.quarantined.append({"doc": doc, "reason": losers[doc]})
        self._collided = set(losers)
        self._claimed = {name: doc for name, docs in claims.items()
                         for doc in docs if doc not in self._collided}
        return [entry for entry in todo if entry.doc not in losers]

    def _drop_collided(self, known: dict, state: StateStore) -> None:
        """Forget the stored rows of documents quarantined by :meth:`_collisions`, and
        remove their copies where no kept document's copy is (so that their names are
        free; their document is processed anew once the names no longer collide)."""
        for doc in sorted(self._collided.intersection(known)):
            outputs = [o for o in state.outputs(doc) if not self._claimed_output(o, state)]
            self._remove_outputs(outputs)
            self._remove_empty_folders(outputs)
            state.delete(doc)
            del known[doc]

    def _claimed_output(self, rel: str, state: StateStore) -> bool:
        """Whether ``rel`` (a path under OUT) is the copy of the document kept with its
        name this run, as that document's stored row says."""
        parts = rel.split("/")
        name = "/".join(parts[1:] if parts[0] == "clean" else parts[2:])
        keeper = self._claimed.get(name)
        return keeper is not None and rel in state.outputs(keeper)

    def _items(self, entry: Entry) -> Iterator[Item]:
        """The documents of one file, from the reader of its format; a file that cannot
        be read is quarantined (a record file: from the record where it stops)."""
        reader = self.pipeline.reader(entry.reader)
        if not reader.many:
            try:
                items = list(reader.items(
                    entry.doc, entry.path,
                    lambda: read_source(entry, self.config.max_file_bytes, self._read_stats)))
            except SourceChanged as exc:
                self.quarantined.append({"doc": entry.doc, "reason": str(exc)})
                self.log.advance()
                return
            for item in items:
                self._found.add(item.doc)
                yield item
            return
        cut = False  # records after a cut (a truncated .gz) are unknown, not deleted
        try:
            self._record_files[entry.doc] = file_sha256(entry)
            for item in reader.items(entry.doc, entry.path):
                self._found.add(item.doc)
                self._record_counts[entry.doc] += 1
                cut = item.cut
                yield item
        except (SourceChanged, RecordsError, OSError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            self.quarantined.append({"doc": entry.doc, "reason": reason})
            self.log.advance()
            return
        if not cut:
            self._complete.add(entry.doc)

    def _shards(self, todo: list[Entry], known: dict, fp: str) -> Iterator[list[Item]]:
        """New and changed documents, read, in shards; stops early on a signal."""
        shard: list[Item] = []
        for entry in todo:
            if self._unchanged_file(entry, known, fp):
                self._found.add(entry.doc)
                self._count_unchanged(entry.doc)
                continue
            for item in self._items(entry):
                if self.stop_signal is not None:
                    return
                sha = item.sha256
                stored = known.get(item.doc, ("", ""))
                if not self.options.force and stored[:2] == (sha, fp):
                    self._count_unchanged(item.doc)
                    key = self._read_stats.pop(item.doc, "")
                    if key and self._file_stats.get(item.doc) != key:
                        self._restat[item.doc] = key
                    continue
                if (not self.options.force and stored[0] == sha
                        and not stored[1].startswith("retry:")):
                    self._redone[stored[1]] += 1  # the same bytes: redone for their fingerprint
                self._pending[item.doc] = (sha, item.source if item.record else "")
                shard.append(item)
                if len(shard) >= self.options.shard_docs:
                    yield shard
                    shard = []
            if self.stop_signal is not None:
                return
        if shard:
            yield shard

    def _count_unchanged(self, doc: str) -> None:
        """A document found as stored: counted, kept as this corpus's, progress advanced."""
        self.counts["unchanged"] += 1
        self._current.add(doc)
        self.log.advance()

    def _unchanged_file(self, entry: Entry, known: dict, fp: str) -> bool:
        """Whether a file holding one document is unchanged without reading it: its
        stored row has this run's fingerprint and its file the stat recorded when the
        stored hash was taken (:func:`trusted_stat_key`). Record files are read."""
        if self.options.force or not entry.key or entry.reader == "records":
            return False
        stored = known.get(entry.doc)
        return (stored is not None and stored[1] == fp
                and self._file_stats.get(entry.doc) == entry.key)

    def _process(self, todo: list[Entry], known: dict, fp: str, state: StateStore) -> None:
        self.log.start_progress(self.corpus_documents - len(self.quarantined))
        shards = self._shards(todo, known, fp)
        # Until a document needs processing, nothing is built or started: a rerun that
        # finds nothing new needs no stages, no executor, no translation memory.
        first = next(shards, None)
        if first is None:
            self.log.end_progress()
            return
        self._ensure_stages()
        from pipeline.memory import OnFirstUse

        # The driver alone opens the translation memory: executors look hits up for
        # their workers and store what comes back (workers need no shared disk).
        memory = None
        if not self.options.no_cache:
            memory = OnFirstUse(self.out / STATE_DIR / "memory.sqlite")
        executor = make_executor(self.options.executor, self.config, self.options.workers,
                                 self.options.ray_address, engine=self.engine, stages=self.stages,
                                 memory=memory)
        # Again once the executor has started (Ray installs handlers of its own).
        self._executor = executor
        self._install_handlers()
        results = executor.map(itertools.chain([first], shards))
        try:
            while True:
                # Only while waiting for a shard may a signal abandon the work: a
                # shard's outputs are written in _commit alone, never by a worker.
                self._abandonable = True
                if self.stop_signal is not None:  # received during the last commit
                    raise Interrupted(self.stop_signal)
                result = next(results, None)
                self._abandonable = False
                if result is None:
                    break
                for phase, seconds in result.stats.pop("timings", {}).items():
                    self.timings[phase] = self.timings.get(phase, 0.0) + seconds
                merge_counts(self.translation, result.stats)
                self._memory_recovered(memory)
                committing = time.perf_counter()
                self._commit(result, fp, state)
                self._phase("write", committing)
                self.log.advance(len(result.docs))
            self._memory_recovered(memory)
        except (Interrupted, ImportError) as exc:
            # A stop's exception raised inside an extension module's initialisation
            # comes out as ImportError ('initialization failed', pybind11): a stop too.
            if not isinstance(exc, Interrupted) and self.stop_signal is None:
                raise
            self._abandonable = False
            # A document's time budget (SIGALRM) may have been armed when it was abandoned.
            signal.setitimer(signal.ITIMER_REAL, 0)
            self.log.end_progress()
            self._say_stopping()
        finally:
            self._abandonable = False
            self.log.end_progress()
            if self.stop_signal is not None:
                results.close()
                abandon = getattr(executor, "abandon", None)
                if abandon is not None:
                    abandon()  # workers are stopped, not waited for
            executor.close()
            self._executor = None
            if memory is not None:
                memory.close()

    def _say_stopping(self) -> None:
        """Log the stop signal received (once), wherever it came: while the corpus was
        listed or its first documents read, the run stops without abandoning a shard."""
        if self._said_stopping:
            return
        self._said_stopping = True
        name = signal.Signals(self.stop_signal or signal.SIGTERM).name
        self.log.event("stopping", f"received {name}: the documents in progress are left "
                       "for the next run; writing the report", signal=self.stop_signal)

    def _memory_recovered(self, memory: OnFirstUse | None) -> None:
        """Report a translation memory that was found unusable and moved aside (once)."""
        if memory is not None and memory.recovered is not None:
            aside = str(memory.recovered)
            memory.recovered = None
            self.translation["memory_moved_aside"] = aside
            self.log.event("memory", f"the translation memory was unusable: moved to "
                           f"{aside}, a new one was started", moved_to=aside)

    def _commit(self, result: ShardResult, fp: str, state: StateStore) -> None:
        """Write a shard's files, drop files its documents no longer own, sync once,
        then commit their state rows in one transaction: a row always follows its
        document's files to disk."""
        written = {}
        pending = {doc.doc: self._pending.pop(doc.doc) for doc in result.docs}
        unwritten = []
        for doc in result.docs:
            if pending[doc.doc][1]:  # a record: its texts go to the state, not to files
                written[doc.doc] = list(doc.files)
                continue
            try:
                written[doc.doc] = self._write_document(doc.doc, doc.files, state)
            except DocumentWriteError as exc:
                unwritten.append(doc.doc)
                self.log.advance()
                self.quarantined.append({"doc": doc.doc, "reason": str(exc)})
                self.log.event("quarantined", f"quarantined: {shown(doc.doc)}: {exc}", doc=doc.doc,
                               errors=[str(exc)])
                continue
            self._remove_outputs(set(state.outputs(doc.doc)) - set(written[doc.doc]))
        # The file systems of OUT and of the folders written into, not every one.
        sync_to_disk({self.out} | {(self.out / rel).parent for doc in result.docs
                                   if not pending[doc.doc][1] and doc.doc not in unwritten
                                   for rel in written[doc.doc]})
        # A document whose copy could not be written keeps no new row: the next run
        # does it again (its earlier row, if any, still describes its earlier files).
        result.docs = [doc for doc in result.docs if doc.doc not in unwritten]
        broken = set(result.stats.get("failed_models", {}))
        with state.transaction():
            for doc in result.docs:
                missing = result.missing.get(doc.doc, [])
                # A model that failed may work next time: such documents are retried,
                # as are those whose translation failed or ran out of time.
                retry = bool(broken.intersection(missing)) or doc.doc in result.retry
                sha, source = pending[doc.doc]
                state.put(StoredDocument(
                    doc.doc, sha, f"retry:{fp}" if retry else fp,
                    doc.status, written[doc.doc], doc.record, doc.segments, doc.document,
                    missing, result.counts.get(doc.doc, {}), doc.json_digest,
                ))
                if not source:  # the stat of the file version its hash was taken of
                    state.put_file_stat(doc.doc, self._read_stats.pop(doc.doc, ""))
                if source:
                    state.put_part(doc.doc, source, doc.files)
                    self._touched.add(source)
        if self._sections is None:
            self._sections = SectionSpool(self.out / STATE_DIR)
        for doc in result.docs:
            if doc.section is not None:
                self._sections.add(doc.doc, doc.section)
            self.counts["processed"] += 1
            self._current.add(doc.doc)
            if doc.status != "ok":
                self.log.event(doc.status,
                               f"{doc.status}: {shown(doc.doc)}: {'; '.join(doc.errors)}",
                               doc=doc.doc, errors=doc.errors)

    def _write_document(self, doc: str, files: dict[str, str], state: StateStore) -> list[str]:
        """Write one document's files. An error of that document's own (a name too long,
        a file or folder of OUT in the way) raises :class:`DocumentWriteError` once the
        files it wrote this time but did not own before are removed; any other (disk full,
        read-only, I/O error) stops the run (exit 74)."""
        from pipeline.writers.text import write_files

        done: list[str] = []
        try:
            for rel, text in files.items():
                done += write_files(self.out, {rel: text}, durable=False)
        except OSError as exc:
            if exc.errno not in DOCUMENT_WRITE_ERRORS:
                raise
            self._remove_outputs(set(done) - set(state.outputs(doc)))
            raise DocumentWriteError(copy_refused(f"OUT/{rel}", exc)) from None
        return done

    def _under_out(self, path: str | bytes | None) -> str:
        """``OUT/<path relative to OUT>`` for a path inside OUT (a temporary file's name
        in a folder of OUT: that folder), else ""."""
        if not isinstance(path, str):
            return ""
        rel = Path(path)
        if rel.name.startswith(TEMP_PREFIX):
            rel = rel.parent
        if not rel.is_relative_to(self.out):
            return ""
        return "OUT/" + rel.relative_to(self.out).as_posix()

    def _remove_outputs(self, outputs: Iterable[str]) -> None:
        for rel in outputs:
            (self.out / rel).unlink(missing_ok=True)

    # -- aggregates and report ---------------------------------------------------
    AGGREGATES = ("documents.jsonl", "segments.jsonl")

    def _aggregates_exist(self) -> bool:
        return all((self.out / name).is_file() for name in self.AGGREGATES)

    def _write_aggregates(self, state: StateStore) -> None:
        """Rebuild every aggregate file from the state store, streaming.

        documents.jsonl and segments.jsonl are both written before either is renamed
        into place: an error on the way (a full disk) leaves the earlier pair, never a
        new documents.jsonl beside the old segments.jsonl."""
        records, segments = self.AGGREGATES
        with (atomic_open(self.out / records) as records_file,
              atomic_open(self.out / segments) as segments_file):
            records_file.writelines(state.column("record"))
            segments_file.writelines(state.column("segments"))
        from pipeline.writers.parallel import write_parallel

        counts = write_parallel(self.out, self._stored_documents(state), self.config.targets)
        state.set_meta("parallel", json.dumps(counts))

    @staticmethod
    def _stored_documents(state: StateStore) -> Iterator[Document]:
        return (Document.from_json(text) for text in state.column("document"))

    def _report(self, state: StateStore, deleted: list[str], timings: dict) -> RunResult:
        """report.json and the page. Counts of documents are about the corpus as this
        run found it; totals (languages, fixes, segments, translation) are about the
        outputs, read from the state, so a rerun that does nothing reports the same."""
        started = time.perf_counter()
        totals = state.report_totals(self._current)  # small rows, not the documents'
        statuses, languages, fixes = totals.statuses, totals.languages, totals.fixes
        translated, missing = totals.translated, totals.missing
        failed, quarantined = totals.failed, [*self.quarantined, *totals.quarantined]
        segments, removed = totals.segments, totals.removed
        # A pair whose model failed this run is reported with its error (translation's
        # failed_models), not as missing with a command to install what is installed.
        broken = self.translation.get("failed_models", {})
        pairs = sorted(tuple(p.split("-", 1)) for p in missing if p not in broken)
        unprocessed = len(self.quarantined)  # quarantined before processing
        report = {
            "documents": self.corpus_documents,
            "ok": statuses["ok"],
            "processed": self.counts["processed"],
            "unchanged": self.counts["unchanged"],
            "not_reached": max(0, self.corpus_documents - self.counts["processed"]
                               - self.counts["unchanged"] - unprocessed - len(self._kept)),
            "failed": failed,
            "quarantined": sorted(quarantined, key=lambda q: q["doc"]),
            "skipped": self.skipped,
            "skipped_by_suffix": skipped_by_suffix(self.skipped),
            "deferred": self.deferred,
            "copies_not_rebuilt": self.copies_not_rebuilt,
            "deleted": len(deleted),
            "deleted_sources": deleted,
            "pruned": self.counts["pruned"],
            "pruned_sources": self.pruned,
            "languages": dict(sorted(languages.items())),
            "segments": segments,
            "fixes_by_kind": dict(sorted(fixes.items())),
            "removed": removed,
            "targets": self.config.targets,
            "translated_documents": {t: translated[t] for t in self.config.targets},
            "missing_models": [
                {"pair": f"{s}-{t}", "install": self.pipeline.install_hint(s, t)}
                for s, t in pairs
            ],
            "parallel_segments": json.loads(state.get_meta("parallel", "{}")),
            "translation": translation_totals(state.translations(), self.translation,
                                              self.config.targets),
            "config": self.pipeline.config_summary(),
            "interrupted": self.stop_signal is not None,
            # A stop ended the listing: documents, not_reached count the files listed.
            "listing_cut": self._listing_cut,
            "redone": self.redone,
            "timings_s": timings,
        }
        if self.stop_signal is not None:
            code = EXIT_SIGNAL[self.stop_signal]
        elif failed or quarantined or pairs or broken:
            code = EXIT_INCOMPLETE
        else:
            code = EXIT_OK
        report["exit_code"] = code
        # The page first (it leaves the timings out), so that they cover it too. Every
        # document is done by now: a stop signal here leaves the pages for the next run
        # (their memo is cleared until they are all written), and report.json says so.
        # It was taken in silence, the run going on for minutes (50,000 documents) and
        # ending with the code decided before.
        stopped_before = report["interrupted"]  # the pages of a stopped run are written
        self._abandonable = not stopped_before
        try:
            if self.stop_signal is not None and not stopped_before:
                raise Interrupted(self.stop_signal)  # received since the code was decided
            write_report(self.out, state.report_refs(), report,
                         self.pipeline.sources(self.corpus), state.report_memo(),
                         self._sections)
        except Interrupted:
            if stopped_before:
                raise  # a second signal: stopped at once (pipeline.cli)
            self._abandonable = False
            name = signal.Signals(self.stop_signal or signal.SIGTERM).name
            self.log.event("stopping", f"received {name} while the review pages were "
                           "written: every document is done; the pages are left for the "
                           "next run to write; writing report.json", signal=self.stop_signal)
            code = report["exit_code"] = EXIT_SIGNAL[self.stop_signal or signal.SIGTERM]
            report["interrupted"] = True
        finally:
            self._abandonable = False
            if self._sections is not None:
                self._sections.close()
        self._phase("pages", started)
        report["timings_s"] = self._timings()
        atomic_write(self.out / "report.json",
                     json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return RunResult(report, code)

    # -- dry run -----------------------------------------------------------------
    def _dry_run(self) -> RunResult:
        """Print what a run would process, skip, quarantine and prune; write nothing."""
        path = self.out / STATE_DIR / "state.sqlite"
        known = StateStore.read_only(path) if path.is_file() else {}
        sources = StateStore.read_only_sources(path) if path.is_file() else {}
        fp = self._fingerprint()
        self._file_stats = StateStore.read_only_file_stats(path) if path.is_file() else {}
        todo = self._sort_entries(discover(self.corpus, self.config.max_file_bytes))
        self._empty_folders(known, self._file_stats)
        self._check_prune(todo, len(known))
        plan: Counter[str] = Counter()
        listed = len(self.quarantined)  # found by discovery: listed below
        for entry in todo:
            before = len(self.quarantined)
            for item in self._items(entry):
                if item.problem:  # a bad record (no JSON, a duplicate id...): quarantined
                    self._say("plan", f"quarantine: {shown(item.doc)}: {item.problem}",
                              action="quarantine", doc=item.doc, reason=item.problem)
                    plan["quarantine"] += 1
                    continue
                stored = known.get(item.doc)
                sha = item.sha256
                if stored is None:
                    action = "process (new)"
                elif self.options.force or stored[:2] != (sha, fp):
                    action = ("process (changed)" if stored[0] != sha
                              else "process (config or models)")
                    if action.endswith("models)") and not self.options.force:
                        self._redone[stored[1]] += 1  # why: said after the plan
                else:
                    action = "unchanged"
                plan[action.split(" ")[0]] += 1
                self._say("plan", f"{action}: {shown(item.doc)}", action=action, doc=item.doc)
            for item in self.quarantined[before:]:
                self._say("plan", f"quarantine: {shown(item['doc'])}: {item['reason']}",
                          action="quarantine", doc=item["doc"], reason=item["reason"])
                plan["quarantine"] += 1
        for item in self.quarantined[:listed]:
            self._say("plan", f"quarantine: {shown(item['doc'])}: {item['reason']}",
                      action="quarantine", doc=item["doc"], reason=item["reason"])
            plan["quarantine"] += 1
        for item in self.skipped:
            self._say("plan", f"skip: {shown(item['path'])}: {item['reason']}",
                      action="skip", doc=item["path"], reason=item["reason"])
        for item in self.deferred:
            self._say("plan", f"wait: {shown(item['doc'])}: {item['reason']}",
                      action="wait", doc=item["doc"], reason=item["reason"])
            plan["wait"] += 1
        for doc in self._deleted(known, todo, sources):
            action = "prune" if self.options.prune else "deleted source"
            self._say("plan", f"{action}: {shown(doc)}", action=action, doc=doc)
            plan["deleted"] += 1
        self._say_why_redone(path)
        return RunResult({"plan": dict(plan)}, EXIT_OK)

    def _say_why_redone(self, path: Path) -> None:
        """The dry run's lines of why documents with unchanged bytes would be processed
        again, as the run says it (:meth:`_say_redone`): the plan said only "config or
        models", and a dry run is where a user asks before redoing a whole corpus."""
        if not self._redone:
            return
        meta = dict(StateStore._read_only_rows(path, "SELECT key, value FROM meta"))
        for count, noun, changed, why in self._why_redone(meta.get):
            self._say("why", f"why: {count} unchanged {noun} to process again: {why}",
                      action="why", documents=count, changed=changed, reason=why)

    def _say(self, event: str, message: str, **fields) -> None:
        """A line of the dry run's plan: on stdout, or an event in a JSON log."""
        if self.log.fmt == "json":
            self.log.event(event, message, **fields)
        else:
            print(message)


def skipped_by_suffix(skipped: list[dict]) -> dict[str, dict]:
    """The files no reader takes, counted by suffix, with what to do about each.

    >>> skipped_by_suffix([{"path": "a.pdf", "suffix": ".pdf", "reason": "extract it"},
    ...                    {"path": "b.pdf", "suffix": ".pdf", "reason": "extract it"}])
    {'.pdf': {'files': 2, 'advice': 'extract it'}}
    """
    counts: dict[str, dict] = {}
    for item in skipped:
        suffix = item.get("suffix") or "(no suffix)"
        entry = counts.setdefault(suffix, {"files": 0, "advice": item["reason"]})
        entry["files"] += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1]["files"], kv[0])))


RUN_COUNTS = ("unique", "hits", "misses", "translated")  # what this run's engine and memory did


def translation_totals(documents: Iterable[dict], run: dict, targets: list[str]) -> dict:
    """The report's ``translation`` section: per pair the ``segments`` translated, per
    target the segments ``copied`` and the QA ``flags``, all summed over the stored
    documents (:func:`pipeline.shard.translation_counts`); beside them what this run
    did (:data:`RUN_COUNTS` per pair, ``failed_models``, ``memory_moved_aside``).

    >>> docs = [{"pairs": {"pt-en": 3}, "flags": {"en": {"repetition": 1}}}, {}]
    >>> totals = translation_totals(docs, {}, ["en"])
    >>> totals["pairs"], totals["copied"], totals["flags"]["en"]["repetition"]
    ({'pt-en': {'segments': 3, 'unique': 0, 'hits': 0, 'misses': 0, 'translated': 0}}, \
{'en': 0}, 1)
    """
    from pipeline.stages.translate import FLAGS

    stored: dict = {}
    for counts in documents:
        merge_counts(stored, counts)
    run_pairs = run.get("pairs", {})
    pairs = {
        pair: {"segments": stored.get("pairs", {}).get(pair, 0),
               **{key: run_pairs.get(pair, {}).get(key, 0) for key in RUN_COUNTS}}
        for pair in sorted({*stored.get("pairs", {}), *run_pairs})
    }
    totals = {
        "pairs": pairs,
        "copied": {t: stored.get("copied", {}).get(t, 0) for t in targets},
        "flags": {t: {f: stored.get("flags", {}).get(t, {}).get(f, 0) for f in FLAGS}
                  for t in targets},
        "failed_models": run.get("failed_models", {}),
    }
    totals.update((k, v) for k, v in run.items() if k not in totals)
    return totals


def merge_counts(total: dict, part: dict) -> None:
    """Add the nested counts of ``part`` into ``total`` (texts are kept, numbers summed).

    >>> t = {"pairs": {"pt-en": {"hits": 1}}}
    >>> merge_counts(t, {"pairs": {"pt-en": {"hits": 2}, "de-en": {"hits": 1}}})
    >>> t
    {'pairs': {'pt-en': {'hits': 3}, 'de-en': {'hits': 1}}}
    """
    for key, value in part.items():
        if isinstance(value, dict):
            merge_counts(total.setdefault(key, {}), value)
        elif isinstance(value, int | float):
            total[key] = total.get(key, 0) + value
        else:
            total[key] = value


def run(corpus: Path, out: Path, config: Config, options: RunOptions | None = None,
        log: RunLog | None = None, engine=None) -> RunResult:
    """Process ``corpus`` into ``out``; see the output contract in README.md."""
    return Runner(corpus, out, config, options, log, engine).run()
