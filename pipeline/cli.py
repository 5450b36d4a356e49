"""The ``pipeline`` command.

Examples::

    pipeline run                                # corpus/ -> outputs/, targets from pipeline.toml
    pipeline run news/ --out clean-news/ --to en,de
    pipeline models list
    pipeline models install translate-pt_en-1_9.argosmodel
"""

from __future__ import annotations

# Ctrl-C while the command loads (a user who changed their mind, a stop at start-up):
# one line and 130, as a run stopped by SIGINT, not a traceback of the import cut.
STOPPED = "pipeline: stopped by SIGINT (Ctrl-C)"
try:
    import argparse
    import atexit
    import codecs
    import errno
    import itertools
    import os
    import shlex
    import signal
    import sys
    import time
    import traceback
    import warnings
    from collections.abc import Callable
    from pathlib import Path
    from typing import NoReturn

    from pipeline import __version__
    from pipeline.config import (
        MAX_BEAM_SIZE,
        Config,
        ConfigError,
        available_cpus,
        load_config,
        parse_age,
        parse_langs,
    )
    from pipeline.log import DEBUG_ENV, RunLog, counted, debug_enabled, shown
except KeyboardInterrupt:
    import sys

    print(STOPPED, file=sys.stderr)
    raise SystemExit(130) from None

DEFAULT_CONFIG = Path("pipeline.toml")

EPILOG = """\
examples:
  pipeline run                               corpus/ -> outputs/, targets from pipeline.toml
  pipeline run news/ --out out/ --to en,de   clean and translate news/ into English and German
  pipeline run dumps/ --text-field body      records whose text is in the field "body"
  pipeline models list                       installed translation models
  pipeline models install FILE.argosmodel    install a model file (works offline)
  pipeline models install DIR --from pt --to en   register a CTranslate2 model directory
  pipeline detect --scores < lines.txt       language of each line of stdin
  pipeline explain article-pt.txt            why a document changed (after a run)
  pipeline explain 'dump.jsonl#42'           the same for one record

Reruns are incremental: only new and changed documents are processed.

exit codes: 0 done (also: nothing to do), 2 usage or configuration error,
3 finished with failed or quarantined documents or missing models
  (models list: it lists a problem, a damaged package),
69 the Argos package index (models install SRC TGT offline) or the Ray cluster at
   --ray-address cannot be reached,
70 internal error (a bug: rerun with --debug and report the traceback),
74 the output directory or its state cannot be written (disk full, read-only, I/O error),
   or standard output cannot be written (when its reader goes away, as with | head,
   detect, explain, models list and run --dry-run end quietly, as cat does),
75 another run (or another program) holds the output directory or its state,
130/143/129 stopped by SIGINT/SIGTERM/SIGHUP (finished documents kept, those in
progress left for the next run; a second signal stops at once, without writing the
report); a signal ignored at start (nohup, a script's `pipeline run &`) stays ignored.
"""

# What a write to a full or failing disk raises (stdout redirected to a file).
WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})

RUN_DESCRIPTION = """\
Read CORPUS recursively (text files .txt; Markdown .md, its copies Markdown again; HTML
pages .html .htm .html.gz .htm.gz .shtml .xhtml and saved pages .mhtml .mht .webarchive;
records .jsonl .ndjson .parquet .csv .tsv and compressed JSON Lines .jsonl.gz .jsonl.bz2
.jsonl.xz .jsonl.zst .ndjson.gz .ndjson.bz2 .ndjson.xz .ndjson.zst, one document per
record) and write to OUT: clean copies, translations, documents.jsonl, segments.jsonl,
parallel corpora, report.json and the review report (report.html: open it in a
browser). Reruns process only new and changed documents."""

RUN_EPILOG = """\
examples:
  pipeline run                               corpus/ -> outputs/, targets from pipeline.toml
  pipeline run news/ --out out/ --to en,de   into English and German
  pipeline run news/ --out out/ --dry-run    what would be processed (and why), skipped, pruned
  pipeline run news/ --out out/ --prune      also remove the outputs of deleted documents
  pipeline run dumps/ --text-field body      records whose text is in the field "body"
  pipeline run news/ --workers 2             two worker processes, the same outputs
"""

MODELS_EPILOG = """\
examples:
  pipeline models list                                 installed pairs, kind, device
  pipeline models install translate-pt_en-1_9.argosmodel   a package file (offline)
  pipeline models install pt en                        from the Argos index (needs internet)
  pipeline models install DIR --from pt --to en        a CTranslate2 model directory
  pipeline models remove pt en
"""

EXIT_PROBLEMS = 3  # models list found a problem, as a run's exit 3 (runner.EXIT_INCOMPLETE)
EXIT_OUTPUT_CLOSED = 74  # standard output closed, as runner.EXIT_OUTPUT
EXIT_SIGINT = 130  # 128 + SIGINT, as the run's (runner.EXIT_SIGNAL)
EXIT_INTERNAL = 70  # EX_SOFTWARE: an error the pipeline did not expect, a bug
EXIT_UNREACHABLE = 69  # EX_UNAVAILABLE: the package index or Ray cluster cannot be reached


def path_argument(text: str) -> Path:
    """A path on the command line; an empty one (an unset shell variable: ``--out "$OUT"``)
    is refused rather than taken for the current directory.

    >>> path_argument("out")
    PosixPath('out')
    >>> path_argument("")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: empty path; name a directory or file (. for the current one)
    """
    if not text:
        raise argparse.ArgumentTypeError("empty path; name a directory or file (. for the "
                                         "current one)")
    return Path(text)


class JoinLists(argparse.Action):
    """A list option given more than once adds to its list: ``--to en --to de`` is
    ``--to en,de`` (the last one alone was kept, the others dropped without a word).

    >>> parser = argparse.ArgumentParser()
    >>> _ = parser.add_argument("--to", action=JoinLists)
    >>> parser.parse_args(["--to", "en", "--to", "de, fr"]).to
    'en,de, fr'
    """

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        before = getattr(namespace, self.dest, None)
        setattr(namespace, self.dest, values if before is None else f"{before},{values}")


class Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage errors are JSON events when the command line asks
    for ``--log-format json`` (every line on stderr is then an event)."""

    json_errors = False  # set by main() from the command line, for every sub-parser

    def error(self, message: str) -> NoReturn:
        if Parser.json_errors:
            _error(RunLog("json"), f"{self.prog}: error: {message}", 2)
            sys.exit(2)
        super().error(message)


def _asks_json_log(argv: list[str]) -> bool:
    """Whether ``argv`` holds ``--log-format json`` (or ``--log-format=json``).

    >>> _asks_json_log(["run", "--log-format", "json"]), _asks_json_log(["run", "x"])
    (True, False)
    >>> _asks_json_log([])
    False
    """
    pairs = itertools.pairwise([*argv, ""])  # no word (a bare `pipeline`): no pair
    return any(a == "--log-format=json" or (a, b) == ("--log-format", "json") for a, b in pairs)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="pipeline",
        description="Clean, analyse and translate a corpus of news articles, offline.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of errors (also: PIPELINE_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="clean, analyse and translate a corpus directory",
        description=RUN_DESCRIPTION, epilog=RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("corpus", nargs="?", type=path_argument, default=Path("corpus"),
                     help="input directory (default: corpus)")
    run.add_argument("--out", type=path_argument, default=Path("outputs"),
                     help="output directory (default: outputs)")
    run.add_argument("--to", metavar="LANGS", action=JoinLists,
                     help="target languages, e.g. en,de (or --to en --to de; default: the "
                     "config's targets, else en)")
    run.add_argument("--config", type=path_argument, metavar="FILE",
                     help="TOML config file (default: pipeline.toml if present)")
    run.add_argument("--text-field", metavar="NAME",
                     help="records: the field holding each record's text (default: text, "
                     "or [input] text_field); a dotted path names a nested one in JSON "
                     "Lines and Parquet (article.body: the field body of the object "
                     "article; a key holding the dot itself wins); a CSV column as named")
    run.add_argument("--id-field", metavar="NAME",
                     help="records: the field holding each record's id (default: id, else "
                     "the record number; or [input] id_field); a dotted path too (meta.id)")
    run.add_argument("--beam-size", type=int, metavar="N",
                     help="translation beam size (default 2; 1 is fastest)")
    run.add_argument("--device", choices=("cpu", "cuda", "auto"),
                     help="where models translate (default: the config's, else auto: cuda "
                     "when CTranslate2 sees a GPU)")
    run.add_argument("--no-cache", action="store_true",
                     help="bypass the translation memory (OUT/.pipeline/memory.sqlite)")
    run.add_argument("--force", action="store_true",
                     help="reprocess every document, changed or not")
    run.add_argument("--prune", action="store_true",
                     help="remove the outputs of documents deleted from CORPUS")
    run.add_argument("--min-age", metavar="SECONDS",
                     help="leave files modified less than this long ago (60, 60s, 5m) for "
                     "the next run, saying so: a scraper's file still being written is "
                     "never read half (default: [run] min_age_s, else 0: off)")
    run.add_argument("--dry-run", action="store_true",
                     help="print what would be processed (and why), skipped and pruned; "
                     "write nothing")
    run.add_argument("--workers", type=int, default=1, metavar="N",
                     help="worker processes (default 1; locally at most 4 a CPU)")
    run.add_argument("--executor", choices=("local", "ray"), default="local",
                     help="where shards run (default local; ray needs pip install .[ray])")
    run.add_argument("--ray-address", metavar="ADDR",
                     help="with --executor ray: the Ray cluster to attach to (auto or "
                     "host:port; default: start one)")
    run.add_argument("--log-format", choices=("human", "json"), default="human",
                     help="human (default): log lines on stderr, the summary on stdout; "
                     "json: everything as JSON events on stderr, the last one 'done'")
    run.add_argument("--debug", action="store_true", dest="debug_run",
                     help="show the traceback of errors, and of documents that fail")

    models = sub.add_parser("models", help="list, install or remove translation models",
                            description="Manage argostranslate packages (ARGOS_PACKAGES_DIR "
                            "is respected).", epilog=MODELS_EPILOG,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    from pipeline import detect_cli, explain

    detect_cli.register(sub)
    explain.register(sub)

    models.set_defaults(models_parser=models)
    msub = models.add_subparsers(dest="action", metavar="ACTION")
    listing = msub.add_parser(
        "list", help="installed language pairs, their kind and device",
        description="List the packages directory read and each installed language pair: "
        "its kind, version, the device and compute type it would run on, and its folder; "
        "unreadable packages and unknown language codes are listed as problems.")
    listing.add_argument("--config", type=path_argument, metavar="FILE",
                         help="TOML config file whose [translate] device is shown "
                         "(default: pipeline.toml if present)")
    listing.add_argument("--device", choices=("cpu", "cuda", "auto"),
                         help="the device to show (default: the config's, else auto)")
    inst = msub.add_parser(
        "install", help="install FILE.argosmodel files, SRC TGT from the Argos index (needs "
        "internet), or a CTranslate2 model DIR --from SRC --to TGT",
        description="Install one or more .argosmodel files (each checked: its model is "
        "loaded before it is accepted), download SRC TGT from the Argos index, or register "
        "a directory converted with CTranslate2's converters with its tokenizer file.")
    inst.add_argument("what", nargs="+", metavar="FILE... | SRC TGT | DIR")
    inst.add_argument("--from", dest="from_codes", metavar="LANGS",
                      help="DIR only: source language(s), e.g. pt or en,de")
    inst.add_argument("--to", dest="to_codes", metavar="LANGS",
                      help="DIR only: target language(s), e.g. en or de,fr")
    inst.add_argument("--target-prefix", metavar="TOKEN | LANG=TOKEN,...",
                      help="DIR only, multilingual models: the token that starts each "
                      "target language's output, e.g. deu_Latn or de=__de__,fr=__fr__")
    inst.add_argument("--tokenizer", type=path_argument, metavar="FILE",
                      help="DIR only: its tokenizer (default: sentencepiece.model, "
                      "source.spm, sentencepiece.bpe.model, spm.model, bpe.model... in DIR)")
    rem = msub.add_parser("remove", help="remove the model for SRC TGT")
    rem.add_argument("src", metavar="SRC", help="source language, e.g. pt")
    rem.add_argument("tgt", metavar="TGT", help="target language, e.g. en")
    parser.set_defaults(commands={**sub.choices, **{f"models {action}": command for action,
                                                    command in msub.choices.items()}})
    return parser


# What a word left over on a command's line usually meant, by command.
STRAY_HINTS = {
    "run": "it reads one CORPUS folder; the output folder is named with --out, "
           "e.g. pipeline run {corpus} --out {word}",
    "detect": "it reads the lines of standard input, e.g. pipeline detect < {word}",
}


def stray_message(command: str | None, extra: list[str], argv: list[str],
                  corpus: object = None) -> str:
    """The usage error for words argparse could not place on ``command``'s line,
    with what such a word usually meant (:data:`STRAY_HINTS`).

    >>> stray_message("run", ["out"], ["run", "news", "out"], "news").split("; ")[1]
    'the output folder is named with --out, e.g. pipeline run news --out out'
    >>> stray_message("detect", ["a.txt"], ["detect", "a.txt"]).split(": ")[1]
    'it reads the lines of standard input, e.g. pipeline detect < a.txt'
    >>> stray_message("run", ["--fast"], ["run", "--fast"])
    'unrecognized arguments: --fast'
    >>> stray_message("detect", ["-"], ["detect", "-"])
    "unexpected argument '-': it reads standard input already; drop the -"
    >>> stray_message("detect", ["a.txt", "b c.txt"], ["detect", "a.txt", "b c.txt"])[-42:]
    "e.g. cat a.txt 'b c.txt' | pipeline detect"
    """
    if command == "detect" and extra == ["-"]:  # as cat's "-": standard input
        return "unexpected argument '-': it reads standard input already; drop the -"
    words = [word for word in extra if not word.startswith("-")]
    if command == "detect" and len(words) == len(extra) > 1:  # files to read
        return (f"unexpected arguments {', '.join(map(repr, words))}: it reads the lines of "
                f"standard input, e.g. cat {shlex.join(words)} | pipeline detect")
    hint = STRAY_HINTS.get(command or "")
    if hint is None or len(words) != len(extra) or len(words) != 1 or (
            command == "run" and any(_names_out(a) for a in argv)):
        return "unrecognized arguments: " + " ".join(extra)
    word = words[0]
    return f"unexpected argument {word!r}: " + hint.format(word=word, corpus=corpus)


def _names_out(arg: str) -> bool:
    """True when a word of the command line is run's --out, as argparse takes it: the
    option, ``--out=DIR``, or an abbreviation (no other option of run starts ``--o``).

    >>> [_names_out(a) for a in ("--out", "--out=x", "--ou", "--o=x", "-o", "out")]
    [True, True, True, True, False, False]
    """
    name = arg.split("=", 1)[0]
    return len(name) >= 3 and "--out".startswith(name)


def _config_for(args: argparse.Namespace) -> Config:
    path = args.config
    # exists, not is_file: a folder or a broken link named pipeline.toml is an error
    # saying so, never silently the defaults
    implicit = path is None and os.path.lexists(DEFAULT_CONFIG)
    if implicit:
        path = DEFAULT_CONFIG
    config = load_config(path, implicit=implicit)
    if getattr(args, "to", None) is not None:  # --to "" names no language: an error
        config.targets = parse_langs(args.to, "--to:")
        if not config.targets:
            raise ConfigError(f"--to {args.to!r} names no language; pass codes such as "
                              "--to en,de")
    for option, key in (("text_field", "--text-field"), ("id_field", "--id-field")):
        value = getattr(args, option, None)
        if value is not None:
            if not value.strip():
                raise ConfigError(f"{key} must name a field of the records")
            setattr(config.input, option, value)
    if getattr(args, "beam_size", None) is not None:
        if args.beam_size < 1:
            raise ConfigError("--beam-size must be 1 or more")
        if args.beam_size > MAX_BEAM_SIZE:
            raise ConfigError(f"--beam-size {args.beam_size}: at most {MAX_BEAM_SIZE} (4 is "
                              "argostranslate's; wider beams only cost memory and time)")
        config.translate.beam_size = args.beam_size
    if getattr(args, "device", None):
        config.translate.device = args.device
    if getattr(args, "min_age", None) is not None:
        config.run.min_age_s = parse_age(args.min_age)
    if config.translate.device == "cuda":  # fail now, before any work, without CUDA
        from pipeline.engines.base import resolve_device

        resolve_device("cuda")
    if not config.targets:
        raise ConfigError(f"config file {path}: targets = []: no target language; name one "
                          "(targets = [\"en\"]) or pass --to en")
    return config


def _config_source(args: argparse.Namespace) -> str:
    """Where a run's configuration came from, for the log line that says documents are
    processed again because it changed (a cron job run from another folder reads
    another pipeline.toml, or none): the file's absolute path, or that there was none,
    and the options that override it."""
    path = args.config
    if path is None and os.path.lexists(DEFAULT_CONFIG):
        path = DEFAULT_CONFIG
    try:
        here = os.getcwd()
    except OSError:  # the current folder was deleted
        here = "the current folder"
    source = (os.path.normpath(os.path.join(here, path)) if path is not None and here[:1] == os.sep
              else str(path) if path is not None
              else f"no config file (the defaults: no {DEFAULT_CONFIG} in {here})")
    flags = [flag for flag, key in (("--to", "to"), ("--beam-size", "beam_size"),
                                    ("--text-field", "text_field"), ("--id-field", "id_field"))
             if getattr(args, key, None) is not None]
    return source + (f", with {', '.join(flags)}" if flags else "")


# Local worker processes per CPU above which a run is refused: each worker holds its own
# models and shares the CPUs with the others, so more only cost memory (a thousand
# workers would exhaust it); between one and this many a CPU, a warning says so.
MAX_WORKERS_PER_CPU = 4


def check_local_workers(workers: int, cpus: int, log: RunLog) -> None:
    """Refuse ``--workers`` beyond MAX_WORKERS_PER_CPU per CPU (exit 2); warn beyond one."""
    if workers > MAX_WORKERS_PER_CPU * cpus:
        raise ConfigError(
            f"--workers {workers}: this machine has {cpus} CPU{'s' * (cpus != 1)} for this "
            f"run; each worker process holds its own models, so use at most "
            f"{MAX_WORKERS_PER_CPU * cpus} ({MAX_WORKERS_PER_CPU} a CPU; {cpus} is enough "
            "to use them all), or --executor ray for a cluster")
    if workers > cpus:
        log.event("workers", f"--workers {workers} on {cpus} CPU{'s' * (cpus != 1)}: the "
                  "workers share them, and each holds its own models in memory",
                  level="warning", workers=workers, cpus=cpus)


# The fork server's socket: TMPDIR/pymp-XXXXXXXX/listener-XXXXXXXX, at most 107 bytes
# (a Unix socket's path and its NUL, sun_path, on Linux).
SOCKET_PATH_MAX = 107
SOCKET_UNDER_TMP = len("/pymp-12345678/listener-12345678")


def check_socket_folder(workers: int) -> None:
    """Refuse local ``--workers`` above 1 where the temporary folder's path is too long
    for the socket the worker processes are started through: the run ended with exit 74,
    "cannot write to OUT: AF_UNIX path too long... free space or fix permissions"."""
    if workers < 2:
        return
    import multiprocessing
    import tempfile

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    try:
        folder = tempfile.gettempdir()
    except OSError:  # no usable temporary folder: said where one is needed
        return
    if len(os.fsencode(folder)) + SOCKET_UNDER_TMP > SOCKET_PATH_MAX:
        raise ConfigError(
            f"--workers {workers}: the temporary folder {shown(folder)} (TMPDIR) has too long a "
            "path for the socket the worker processes are started through (at most "
            f"{SOCKET_PATH_MAX - SOCKET_UNDER_TMP} bytes); set TMPDIR to a shorter one "
            "(TMPDIR=/tmp), or run with --workers 1")


def check_name_encoding(log: RunLog, encoding: str | None = None) -> None:
    """Warn when file names are not read as UTF-8: in a C locale with ``PYTHONUTF8=0``
    Python decodes them as ASCII, and ``café.txt`` was quarantined as "file name is not
    valid UTF-8" without a word on why (Python's own UTF-8 mode, its default in a C
    locale, reads it)."""
    encoding = encoding or sys.getfilesystemencoding()
    if codecs.lookup(encoding).name != "utf-8":
        log.event("name_encoding", f"file names are read as {encoding}, not UTF-8 (the "
                  "locale, or PYTHONUTF8=0): a name that is not ASCII is quarantined or "
                  "misread; run with PYTHONUTF8=1, or in a UTF-8 locale such as C.UTF-8",
                  level="warning", encoding=encoding)


def cmd_run(args: argparse.Namespace, log: RunLog) -> int:
    from pipeline.runner import RunOptions, run

    config = _config_for(args)
    check_name_encoding(log)
    if args.workers < 1:
        raise ConfigError("--workers must be 1 or more")
    if args.executor == "local":
        check_local_workers(args.workers, available_cpus(), log)
        check_socket_folder(args.workers)
    if args.ray_address is not None and args.executor != "ray":  # else silently local
        raise ConfigError(f"--ray-address {args.ray_address} goes with --executor ray: add "
                          "--executor ray to run on that cluster, or drop --ray-address")
    check_reachable(args.corpus, args.out)
    check_out_link(args.out)
    check_out_usable(args.out, args.dry_run)
    check_corpus_outside_outputs(args.corpus, args.out)
    options = RunOptions(force=args.force, prune=args.prune, dry_run=args.dry_run,
                         executor=args.executor, workers=args.workers,
                         ray_address=args.ray_address, no_cache=args.no_cache)
    options.started = getattr(args, "started", None)
    options.config_file = _config_source(args)
    if args.dry_run:  # its plan is printed as it is made: all of its work is printing
        return _printed(lambda: _summary(args, log, run(args.corpus, args.out, config,
                                                        options, log)), "run")
    result = run(args.corpus, args.out, config, options, log)
    # The run's work is done and kept: a reader of the summary gone away (`| head`)
    # changes nothing of it.
    code = _printed(lambda: _summary(args, log, result), "run", gone=result.exit_code)
    if result.report["interrupted"] and args.own_process:
        exit_without_teardown(code, exit_handlers=False)
    return code


# The dry run's last line: its plan's counts (the JSON event's keys) in words.
PLAN_WORDS = {"process": "to process", "quarantine": "to quarantine",
              "wait": "to wait for --min-age", "deleted": "deleted from CORPUS"}


def _summary(args: argparse.Namespace, log: RunLog, result) -> int:
    """Print what the run did (human) or say it as events (JSON); return its exit code."""
    from pipeline.readers import FOLDER_LINK, PIPELINE_OUT, VERSION_CONTROL

    report = result.report
    say = _sayer(log)
    out = Path(shown(str(args.out)))  # its control characters escaped, as documents' names
    if args.dry_run:
        plan = ", ".join(f"{n} {PLAN_WORDS.get(what, what)}"
                         for what, n in sorted(report["plan"].items()))
        say("plan_summary", plan or "nothing", **report["plan"])
        _done(log, result.exit_code, plan=report["plan"])
        return result.exit_code
    # The documents that failed or were quarantined: a line each in human mode; in JSON,
    # lists in the summary event (the documents processed by this run already had an
    # event each as they were done).
    say("summary", summary_line(report, out), **counts(report),
        failed_documents=report["failed"], quarantined_documents=report["quarantined"])
    for tgt, count in report["translated_documents"].items():
        say("translated", target_line(report, tgt, out), target=tgt, documents=count)
    for suffix, item in report.get("skipped_by_suffix", {}).items():
        noun = {FOLDER_LINK: "folder link", VERSION_CONTROL: "version control folder",
                PIPELINE_OUT: "output folder"}.get(
            suffix, suffix + " file")
        say("skipped", f"skipped {counted(item['files'], noun)}: {item['advice']}",
            suffix=suffix, files=item["files"], advice=item["advice"])
    if not (report["documents"] or report["skipped"] or report["deleted"]
            or report["interrupted"]):  # a stop may have ended the listing: not empty
        from pipeline.factory import formats

        say("empty_corpus", f"{shown(str(args.corpus))} holds no file at all: nothing was "
            f"read; check the path, or put the documents there ({formats()})",
            corpus=str(args.corpus))
    if log.fmt == "human":
        failed = [f"failed: {shown(f['doc'])}: {'; '.join(f['errors'])}" for f in report["failed"]]
        quarantined = [f"quarantined: {shown(q['doc'])}: {q['reason']}"
                       for q in report["quarantined"]]
        for lines, what in ((failed, "failed"), (quarantined, "quarantined")):
            for line in listed(lines, what, out):
                print(line)
    for doc in report["deleted_sources"]:
        say("deleted_source", f"source deleted (outputs kept; --prune removes them): {shown(doc)}",
            doc=doc)
    if report["interrupted"]:
        cut = report.get("listing_cut", False)
        say("interrupted", f"interrupted: {report['not_reached']} documents not reached"
            f"{' (of those listed: the stop ended the listing)' if cut else ''}; "
            "the next run processes them", not_reached=report["not_reached"],
            listing_cut=cut)
    for pair, why in report["translation"].get("failed_models", {}).items():
        say("model_failed", f"model failed, pair {pair} left untranslated: {why}",
            pair=pair, error=why)
    if report["missing_models"] and log.fmt == "human":
        print("missing translation models (everything else was written):")
    for item in report["missing_models"]:
        say("missing_model", f"  {item['pair']}: {item['install']}", pair=item["pair"],
            install=item["install"])
    say("report", f"report: {out}/report.json", path=f"{args.out}/report.json")
    _done(log, result.exit_code, **counts(report))
    return result.exit_code


def check_reachable(corpus: Path, out: Path) -> None:
    """Refuse CORPUS (exit 2) or OUT (exit 74) whose path this user may not follow: a
    folder on the way it may not search, or a relative path from a current folder it
    may not enter (``sudo -u USER`` from a private home). It was exit 70, "internal
    error: PermissionError ... (a bug: please report it)"."""
    from pipeline.runner import OutputError

    for path, what, refusal in ((corpus, "corpus directory", ConfigError),
                                (out, "output directory", OutputError)):
        try:
            os.lstat(path)
        except PermissionError as exc:
            here = "" if path.is_absolute() or os.access(os.curdir, os.X_OK) else (
                " (this user may not enter the current folder, as after sudo -u from a "
                "private home: give absolute paths)")
            raise refusal(f"cannot reach {what} {shown(str(path))}: {exc.strerror}{here}") from None
        except OSError:
            pass  # missing, or not a folder: said where it is used


def check_out_link(out: Path) -> None:
    """Refuse OUT that is a symbolic link leading nowhere (a share not mounted, a folder
    moved): the run said "cannot create output directory out: File exists", and
    ``--dry-run`` planned every document as new."""
    if out.is_symlink() and not out.exists():
        raise ConfigError(f"output directory {shown(str(out))} is a symbolic link to "
                          f"{shown(os.readlink(out))}, which does not exist (a share not "
                          "mounted?): mount it, or create that folder, and run again")


def check_out_usable(out: Path, dry_run: bool) -> None:
    """Refuse (exit 74) OUT, or its run state, that this user cannot open (another
    user's OUT made under umask 077: it was an internal error, exit 70, "a bug",
    PermissionError on OUT/.pipeline/state.sqlite, of a run and a ``--dry-run`` alike)
    or, but for a ``--dry-run``, write (it was "cannot write to OUT: Permission denied",
    or exit 75 while the owner's run held the lock, as if the next tick could run)."""
    from pipeline.runner import OutputError

    for folder in (out, out / ".pipeline"):
        if not folder.is_dir():
            continue
        for mode, verb in ((os.R_OK | os.X_OK, "read"), (os.W_OK, "write")):
            if os.access(folder, mode) or (verb == "write" and (
                    dry_run or os.statvfs(folder).f_flag & os.ST_RDONLY)):
                continue  # a read-only file system: said by the run as such
            info = folder.stat()
            fix = ("run as its owner, or choose another --out" if verb == "read" else
                   "run as its owner, or let this user's group write it (the owner runs "
                   "under umask 002 and gives the folder to the group: chgrp -R, chmod -R g+w)")
            if info.st_uid == os.getuid():  # this user's own, made read-only
                fix = f"it is this user's own: chmod u+{verb[0]}x {shown(str(folder))}"
            raise OutputError(
                f"cannot {verb} the output directory {shown(str(folder))}: it belongs to uid "
                f"{info.st_uid}, group {info.st_gid}, mode {info.st_mode & 0o7777:04o}, and "
                f"this user (uid {os.getuid()}) may not {verb} it: {fix}")


def check_corpus_outside_outputs(corpus: Path, out: Path) -> None:
    """Refuse a corpus inside a folder the run writes (``pipeline run out/clean --out
    out``): each source would be replaced by its clean copy (and --prune would delete
    its files)."""
    from pipeline.writers import OUTPUT_FOLDERS

    where = corpus.resolve()
    for name in OUTPUT_FOLDERS:
        if where.is_relative_to(out.resolve() / name):
            raise ConfigError(f"corpus {corpus} is inside {out / name}, which the run writes: "
                              "its clean copies would replace the sources; choose another "
                              "--out (or copy the corpus elsewhere)")


def summary_line(report: dict, out: Path) -> str:
    """The run in one line: documents in the corpus and what this run did with them.

    >>> print(summary_line({"ok": 4, "documents": 4, "processed": 0, "unchanged": 4,
    ...                     "not_reached": 0, "deleted": 1, "pruned": 0}, Path("out")))
    4/4 documents clean in out/clean/ (0 processed, 4 unchanged; 1 source deleted, outputs kept)
    """
    line = (f"{report['ok']}/{report['documents']} documents clean in {out}/clean/ "
            f"({report['processed']} processed, {report['unchanged']} unchanged")
    if report["not_reached"]:
        line += f", {report['not_reached']} not reached"
    if report["deleted"]:
        line += f"; {counted(report['deleted'], 'source')} deleted, outputs kept"
    if report["pruned"]:
        line += f"; {counted(report['pruned'], 'deleted source')} pruned"
    return line + ")"


# The summary lists this many failed (quarantined) documents, then says where the rest is:
# 6,732 redirect pages of a documentation site were 6,732 lines of a cron job's mail.
LISTED_AT_MOST = 20


def listed(lines: list[str], what: str, out: Path) -> list[str]:
    """``lines`` up to LISTED_AT_MOST, then one line saying how many more and where.

    >>> listed(["a", "b"], "quarantined", Path("out"))
    ['a', 'b']
    >>> listed([str(i) for i in range(25)], "quarantined", Path("out"))[-2:]
    ['19', '... and 5 more quarantined documents: out/report.json lists them all']
    """
    if len(lines) <= LISTED_AT_MOST:
        return lines
    more = len(lines) - LISTED_AT_MOST
    return [*lines[:LISTED_AT_MOST], f"... and {more:,} more {what} "
            f"{'document' if more == 1 else 'documents'}: {out}/report.json lists them all"]


def target_line(report: dict, tgt: str, out: Path) -> str:
    """The summary line of target ``tgt``: its copies, and how many of their sentences
    were translated and how many copied as they were: already in ``tgt`` (a document
    in English has an English copy, but nothing was translated for it), or in no
    language (numbers, a script of no language the detector knows: ``und``).

    >>> report = {"translated_documents": {"en": 2}, "translation": {
    ...     "pairs": {"pt-en": {"segments": 5}, "pt-de": {"segments": 4}},
    ...     "copied": {"en": 3}}}
    >>> for part in target_line(report, "en", Path("out")).split(" ("):
    ...     print(part)
    2 documents in en -> out/translations/en/
    5 sentences translated, 3 copied: already in en or in no language)
    >>> report["translation"] = {"pairs": {}, "copied": {"en": 1}}
    >>> target_line(report, "en", Path("out")).split(" (")[1]
    '0 sentences translated, 1 copied: already in en or in no language)'
    >>> report["translation"] = {"pairs": {"zh-zh-Hant": {"segments": 2},
    ...     "en-zh-Hant": {"segments": 1}}, "copied": {"zh-Hant": 0},
    ...     "converted": {"zh-zh-Hant": {"by": "opencc 1.4.2 s2t", "inputs": 2}}}
    >>> report["translated_documents"]["zh-Hant"] = 2
    >>> target_line(report, "zh-Hant", Path("out")).split(" (")[1].split(", 0 copied")[0]
    '1 sentence translated, 2 converted by opencc 1.4.2 s2t'
    """
    translation = report.get("translation", {})
    converted = translation.get("converted", {})  # Simplified <-> Traditional Chinese
    pairs = {pair: counts.get("segments", 0) for pair, counts
             in translation.get("pairs", {}).items() if pair.endswith(f"-{tgt}")}
    translated = sum(n for pair, n in pairs.items() if pair not in converted)
    by = [f"{n} converted by {converted[pair]['by']}" for pair, n in pairs.items()
          if pair in converted and n]
    copied = translation.get("copied", {}).get(tgt, 0)
    return (f"{counted(report['translated_documents'][tgt], 'document')} in {tgt} -> "
            f"{out}/translations/{tgt}/ ({counted(translated, 'sentence')} translated, "
            + "".join(f"{part}, " for part in by)
            + f"{copied} copied: already in {tgt} or in no language)")


def counts(report: dict) -> dict[str, int]:
    """The document counts of a run, for its JSON events."""
    return {
        "documents": report["documents"], "ok": report["ok"],
        "processed": report["processed"], "unchanged": report["unchanged"],
        "not_reached": report["not_reached"], "failed": len(report["failed"]),
        "quarantined": len(report["quarantined"]), "deleted": report["deleted"],
        "pruned": report["pruned"], "missing_models": len(report["missing_models"]),
    }


def _sayer(log: RunLog):
    """Summary lines: plain on stdout in human mode, events on the log in JSON."""
    def say(event: str, message: str, **fields) -> None:
        if log.fmt == "json":
            log.event(event, message.strip(), **fields)
        else:
            print(message)
    return say


def _done(log: RunLog, code: int, **fields) -> None:
    if log.fmt == "json":
        log.event("done", f"done, exit code {code}", exit_code=code, **fields)


def cmd_models(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from pipeline.engines import argos

    if args.action == "list":  # its work is what it prints
        return _printed(lambda: models_list(args), "models list")
    if args.action == "install":
        return models_install(args)
    if args.action == "remove":
        others = {p.path: [] for p in argos.installed_packages()}
        for pkg in argos.installed_packages():
            others[pkg.path].append(f"{pkg.from_code}-{pkg.to_code}")
        for pkg in argos.remove(args.src, args.tgt):
            gone = ", ".join(pair for pair in others.get(pkg.path, [])
                             if pair != f"{pkg.from_code}-{pkg.to_code}")
            print(f"removed {pkg.from_code}-{pkg.to_code} ({pkg.path})"
                  + (f", and with its model: {gone}" if gone else ""))
        return 0
    args.models_parser.print_help(sys.stderr)  # no ACTION: a usage error
    return 2


def models_list(args: argparse.Namespace) -> int:
    """Every installed pair with its kind, version, the device and compute type it would
    run on, and its directory; first the packages directory read, last what is wrong:
    then the exit code is 3 (EXIT_PROBLEMS), so that a script can tell."""
    from pipeline.engines import argos
    from pipeline.engines.base import resolve_compute_type, resolve_device

    config = _config_for(args)
    device = resolve_device(config.translate.device)
    on = f"{device} {resolve_compute_type(config.translate.compute_type, device)}"
    root = argos.resolve_packages_dir()
    where = "ARGOS_PACKAGES_DIR" if os.environ.get("ARGOS_PACKAGES_DIR") else "argostranslate's"
    print(f"models in {root} ({where} packages directory)")
    listing = argos.list_packages(root)
    if not listing.packages:
        print("no translation models installed; install one with "
              "`pipeline models install FILE.argosmodel`")
    rows = [("pair", "kind", "version", "device", "directory")]
    chosen = argos.chosen_packages(listing.packages)
    used = {id(pkg) for pkg in chosen.values()}
    for pkg in listing.packages:
        kind = pkg.kind + (f" (carries a {pkg.sentence_model} sentence model, not used)"
                           if pkg.sentence_model else "")
        pair = f"{pkg.from_code}-{pkg.to_code}"
        # Argos's own codes, and the table's where they differ ("zt" is zh-Hant, "pb" pt):
        # the code a run's --to and outputs use.
        key = (argos.language_code(pkg.from_code), argos.language_code(pkg.to_code))
        ours, other = "-".join(key), chosen.get(key)
        why = ("a newer one is" if other is None or other.version != pkg.version else
               f"{other.from_code}-{other.to_code} serves {ours}")  # en-pb beside en-pt
        version = pkg.version if id(pkg) in used else f"{pkg.version} (not used: {why})"
        rows.append((pair if ours == pair else f"{pair} ({ours})", kind, version, on,
                     str(pkg.path)))
    if len(rows) > 1:
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
            print("  ".join([*cells, row[4]]))
    problems = [*listing.problems, *filter(None, map(unknown_codes, listing.packages))]
    for problem in problems:
        print(f"problem: {problem}")
    return EXIT_PROBLEMS if problems else 0


def unknown_codes(pkg) -> str:
    """What is wrong with an installed package whose language codes are not in
    ``pipeline.languages``' table (a run never uses it); ``""`` when nothing is."""
    from pipeline.languages import UnknownLanguage, canonical

    wrong = []
    for code in dict.fromkeys((pkg.from_code, pkg.to_code)):
        try:
            canonical(code)
        except UnknownLanguage as exc:
            wrong.append(str(exc))
    if not wrong:
        return ""
    return (f"{pkg.from_code}-{pkg.to_code} ({pkg.path}): {'; '.join(wrong)}, so runs never "
            f"use it; correct the codes in its metadata.json, or `pipeline models remove "
            f"{pkg.from_code} {pkg.to_code}`")


def models_install(args: argparse.Namespace) -> int:
    """``FILE...`` (each installed or refused on its own), ``SRC TGT`` (the index) or
    ``DIR --from --to`` (a CTranslate2 directory)."""
    from pipeline.engines import argos
    from pipeline.engines.argos import ModelError

    what = [Path(item) for item in args.what]
    dir_options = args.from_codes or args.to_codes or args.target_prefix or args.tokenizer
    if len(what) == 1 and what[0].is_dir():
        if not (args.from_codes and args.to_codes):
            raise ConfigError(f"{what[0]} is a directory: register a CTranslate2 model with "
                              f"`pipeline models install {what[0]} --from SRC --to TGT`")
        tos = parse_langs(args.to_codes, "--to:")
        installed = argos.install_ct2_dir(
            what[0], parse_langs(args.from_codes, "--from:"), tos,
            target_prefixes=parse_prefixes(args.target_prefix, tos),
            tokenizer=args.tokenizer)
        _print_installed(installed)
        return 0
    if dir_options:
        raise ConfigError("--from, --to, --target-prefix and --tokenizer go with a "
                          "CTranslate2 model directory only")
    files = [p for p in what if p.suffix == ".argosmodel" or p.exists()]
    if len(files) == len(what):
        failed = 0
        for path in what:  # each on its own: one bad file costs only itself
            try:
                _print_installed(argos.install_archive(path))
            except ModelError as exc:
                failed += 1
                print(f"pipeline: error: {exc}", file=sys.stderr)
        if failed and len(what) > 1:
            print(f"pipeline: {failed} of {len(what)} files not installed", file=sys.stderr)
        return 2 if failed else 0
    if files:
        raise ConfigError("models install takes FILE.argosmodel files, or SRC TGT, not both")
    if len(what) != 2:
        raise ConfigError(
            f"models install takes FILE.argosmodel..., SRC TGT or DIR --from SRC --to TGT;"
            f" no such file: {', '.join(str(p) for p in what)}")
    _print_installed(argos.install_from_index(*parse_langs(",".join(args.what))))
    return 0


def parse_prefixes(text: str | None, targets: list[str]) -> dict[str, str]:
    """``--target-prefix``: one token for the one target, or ``LANG=TOKEN,...``.

    >>> parse_prefixes("deu_Latn", ["de"]), parse_prefixes("de=__de__, fr=__fr__", ["de", "fr"])
    ({'de': 'deu_Latn'}, {'de': '__de__', 'fr': '__fr__'})
    """
    if not text:
        return {}
    if "=" not in text:
        if len(targets) != 1:
            raise ConfigError("--target-prefix: with several --to languages, give "
                              "LANG=TOKEN for each, e.g. de=__de__,fr=__fr__")
        return {targets[0]: text.strip()}
    prefixes = {}
    for part in text.split(","):
        lang, sep, token = part.partition("=")
        if not sep or not token.strip():
            raise ConfigError(f"--target-prefix: {part.strip()!r} is not LANG=TOKEN")
        prefixes[parse_langs(lang, "--target-prefix:")[0]] = token.strip()
    return prefixes


def _print_installed(packages) -> None:
    for pkg in packages:
        print(f"installed {pkg.from_code}-{pkg.to_code} {pkg.version} ({pkg.kind}) in {pkg.path}")
        if problem := unknown_codes(pkg):
            print(f"pipeline: warning: {problem}", file=sys.stderr)


def exit_without_teardown(code: int, exit_handlers: bool = True) -> NoReturn:
    """End the process with ``code`` once output is flushed (and, unless told not to,
    exit handlers have run), without the interpreter freeing each object one by one:
    a run's word lists and detection models took about a second to free, which
    report.json's timings could not count (worker processes end the same way).

    After a stop signal (``exit_handlers=False``) nothing more is run (but
    multiprocessing's finalizers): the teardown
    would free the translation models, and CTranslate2 first runs the batches an
    abandoned shard had queued, tens of seconds. By then every file is written and
    closed and the lock is released. Only for the command itself: ``main([...])``
    called from Python returns.
    """
    if exit_handlers:
        atexit._run_exitfuncs()
    elif (util := sys.modules.get("multiprocessing.util")) is not None:
        # But multiprocessing's own finalizers, which free the semaphores of an abandoned
        # worker pool (its thread may hold them still, stuck behind a pipe that no dead
        # worker reads): the resource tracker then warned of leaked semaphores.
        util._run_finalizers(0)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def plain_warnings() -> None:
    """Show the pipeline's own warnings (outside a run, whose log takes them) as one line,
    ``pipeline: warning: ...``, instead of Python's form: the source file, the line and
    the statement that warned. Other warnings keep Python's form."""
    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if not category.__module__.startswith("pipeline"):
            return default(message, category, filename, lineno, file, line)
        print(f"pipeline: warning: {message}", file=sys.stderr if file is None else file)
        return None

    warnings.showwarning = show


def reserve_closed_streams() -> set[int]:
    """Open /dev/null on the standard file descriptors that are closed (a cron job's
    ``>&-`` or ``<&-``) and give Python streams on them; return the closed ones.

    Python leaves ``sys.stdout`` (``stdin``, ``stderr``) None then: a run that had
    written every output ended with an internal error (exit 70), ``detect`` with a
    traceback. And the first file opened takes the free number: what writes to
    standard output (a worker process, a library) would have written into it.
    """
    closed = set()
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.add(fd)
    for fd in sorted(closed):  # each open takes the lowest free number: fd itself
        opened = os.open(os.devnull, os.O_RDWR)
        if opened != fd:
            os.dup2(opened, fd)
            os.close(opened)
    if 0 in closed:
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the process's own stream
    if 1 in closed:
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
    if 2 in closed:
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
    return closed


def escaping_stdout() -> None:
    """Let standard output write every character, those its encoding lacks as backslash
    escapes (``caf\\xe9.txt``), as Python's stderr does. In a locale that is not UTF-8
    (``LANG=de_DE.ISO-8859-1``, ``PYTHONIOENCODING=ascii``) a document name such as
    ``نص.txt`` ended ``explain`` with a traceback, and a run with its summary unprinted:
    internal error, exit 70, though every output was written."""
    stream = sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    if codecs.lookup(encoding).name != "utf-8" and hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    """The command; a Ctrl-C that comes before a run handles SIGINT itself (while the
    modules it needs load: a second or so) or after (its summary) ends it with 130 and
    one line, not a traceback."""
    try:
        return _command(argv)
    except KeyboardInterrupt:
        return _error(RunLog("json" if Parser.json_errors else "human"), STOPPED, EXIT_SIGINT)


def _command(argv: list[str] | None) -> int:
    started = time.perf_counter()  # report.json's timings count from here
    closed: set[int] = set()
    if argv is None:  # the command itself, not a caller's process
        closed = reserve_closed_streams()
        escaping_stdout()
        plain_warnings()
    parser = build_parser()
    Parser.json_errors = _asks_json_log(sys.argv[1:] if argv is None else argv)
    args, extra = parser.parse_known_args(argv)
    commands = vars(args).pop("commands")  # the parser of each command
    if extra:  # on the command's own usage line, with what the word usually meant
        where = commands.get(f"models {getattr(args, 'action', None)}",
                             commands.get(args.command, parser))
        where.error(stray_message(args.command, extra, sys.argv[1:] if argv is None else argv,
                                  getattr(args, "corpus", None)))
    args.started = started
    args.own_process = argv is None
    if args.command is None:  # a usage error: on stderr, as `pipeline models`'s
        parser.print_help(sys.stderr)
        return 2
    if 1 in closed and _prints_its_work(args):  # as cat: nowhere to write its output
        command = f"models {args.action}" if args.command == "models" else args.command
        print(f"pipeline {command}: error: cannot write the output: standard output "
              "is closed", file=sys.stderr)
        return EXIT_OUTPUT_CLOSED
    if not (args.debug or getattr(args, "debug_run", False)):
        return _main(args, parser)
    before = os.environ.get(DEBUG_ENV)
    os.environ[DEBUG_ENV] = "1"  # worker processes inherit it
    try:
        return _main(args, parser)
    finally:
        if before is None:
            os.environ.pop(DEBUG_ENV, None)
        else:
            os.environ[DEBUG_ENV] = before


def _main(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.command not in ("run", "models"):
        return _printing(args)  # detect, explain: they report their own errors
    from pipeline.engines.argos import IndexUnreachable, ModelError
    from pipeline.engines.base import DeviceError
    from pipeline.executors import ClusterUnreachable
    from pipeline.runner import (
        EXIT_LOCKED,
        EXIT_OUTPUT,
        EXIT_SIGNAL,
        EXIT_USAGE,
        Interrupted,
        LockedError,
        OutputError,
        UsageError,
    )

    log = RunLog(getattr(args, "log_format", "human"))
    try:
        if args.command == "run":
            code = cmd_run(args, log)
            if args.own_process:  # the process's own command line: the process ends here
                exit_without_teardown(code)
            return code
        if args.command == "models":
            return cmd_models(args, parser)
        return args.handler(args)
    except (IndexUnreachable, ClusterUnreachable) as exc:
        return _error(log, f"pipeline: error: {exc}", EXIT_UNREACHABLE)
    except (ConfigError, UsageError, ModelError, DeviceError) as exc:
        return _error(log, f"pipeline: error: {exc}", EXIT_USAGE)
    except LockedError as exc:
        return _error(log, f"pipeline: {exc}", EXIT_LOCKED)
    except OutputError as exc:
        return _error(log, f"pipeline: error: {exc}", EXIT_OUTPUT)
    except Interrupted as exc:  # a second signal: stopped at once
        code = _error(log, "pipeline: stopped at once by a second signal: finished documents "
                      "are kept, those in progress are left for the next run; report.json "
                      "was not updated", EXIT_SIGNAL[exc.signum])
        if args.own_process:
            exit_without_teardown(code, exit_handlers=False)
        return code
    except MemoryError:  # a memory limit, not a bug (docs/scheduling.md)
        from pipeline.state import memory_limit

        return _error(log, f"pipeline: error: out of memory{memory_limit()}; documents "
                      "already committed are kept: give the run more memory, or fewer "
                      "--workers, and run again", EXIT_INTERNAL)
    except Exception as exc:  # models' actions have no --debug of their own
        rerun = ("with --debug" if args.command == "run"
                 else f"as `pipeline --debug models {args.action} ...`")
        return _internal_error(log, exc, "pipeline", rerun)


def _internal_error(log: RunLog, exc: Exception, who: str, rerun: str) -> int:
    """Say that the command stopped on an error it did not expect (a bug): exit 70."""
    hint = "" if debug_enabled() else f"; rerun {rerun} to see the traceback"
    return _error(log, f"{who}: internal error: {type(exc).__name__}: {exc} (a bug: "
                  f"please report it{hint})", EXIT_INTERNAL)


def _prints_its_work(args: argparse.Namespace) -> bool:
    """Whether the command's work is what it prints (a run's summary is not)."""
    if args.command == "run":
        return bool(getattr(args, "dry_run", False))
    return args.command in ("detect", "explain") or getattr(args, "action", "") == "list"


def _printing(args: argparse.Namespace) -> int:
    """Run ``detect`` or ``explain``, whose work is what they print. When the reader of
    their output goes away (``| head``), the command ends quietly, as ``cat`` does (by
    SIGPIPE when it is the process's own command, else with 141, 128 + SIGPIPE); Ctrl-C
    ends it with 130; an error it did not expect, with 70 and one line, as a run."""
    if args.own_process:
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        return _printed(lambda: args.handler(args), args.command)
    except KeyboardInterrupt:  # Ctrl-C while it reads stdin or prints: stopped, no traceback
        return EXIT_SIGINT
    except Exception as exc:  # it was a traceback and exit 1, which no table lists
        return _internal_error(RunLog("human"), exc, f"pipeline {args.command}",
                               f"as `pipeline --debug {args.command} ...`")


def _printed(write: Callable[[], int], command: str, gone: int = 128 + signal.SIGPIPE) -> int:
    """Call ``write``, which prints to stdout, and return its exit code; ``gone`` when
    the reader of stdout went away, 74 (with a message) when stdout cannot be written (a
    full disk), instead of a traceback or an internal error."""
    try:
        code = write()
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        return gone
    except OSError as exc:
        if exc.errno not in WRITE_ERRORS:  # not stdout's: as any other error
            raise
        from pipeline.runner import EXIT_OUTPUT  # not before: detect imports no runner

        _quiet_stdout()
        print(f"pipeline {command}: error: cannot write the output: {exc.strerror or exc}",
              file=sys.stderr)
        return EXIT_OUTPUT
    return code


def _quiet_stdout() -> None:
    """Point stdout at /dev/null: its unwritten buffer is dropped, not flushed again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor (captured in tests): nothing to do
        pass


def _error(log: RunLog, message: str, code: int) -> int:
    """Say why the command stops (with the traceback under --debug); return ``code``."""
    trace = traceback.format_exc() if debug_enabled() else ""
    if log.fmt == "json":
        log.event("error", message, exit_code=code, **({"traceback": trace} if trace else {}))
        _done(log, code)
    else:
        if trace:
            print(trace, end="", file=sys.stderr)
        print(message, file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
