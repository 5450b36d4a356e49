"""The ``pipeline`` command.

Examples::

    pipeline run                                # corpus/ -> outputs/, targets from pipeline.toml
    pipeline run news/ --out clean-news/ --to en,de
    pipeline models list
    pipeline models install translate-pt_en-1_9.argosmodel
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.config import Config, ConfigError, load_config, parse_langs

DEFAULT_CONFIG = Path("pipeline.toml")

EPILOG = """\
examples:
  pipeline run                               corpus/ -> outputs/, targets from pipeline.toml
  pipeline run news/ --out out/ --to en,de   clean and translate news/ into English and German
  pipeline models list                       installed translation models
  pipeline models install FILE.argosmodel    install a model file (works offline)
  pipeline detect --scores < lines.txt       language of each line of stdin
  pipeline explain article-pt.txt            why a document changed (after a run)

Reruns are incremental: only new and changed documents are processed.

exit codes: 0 done (also: nothing to do), 2 usage or configuration error,
3 finished with failed or quarantined documents or missing models,
74 the output directory cannot be written (disk full, read-only),
75 another run holds the output directory, 130/143 stopped by SIGINT/SIGTERM
(documents in progress were finished and the report written).
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipeline",
        description="Clean, analyse and translate a corpus of news articles, offline.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="clean, analyse and translate a corpus directory",
        description="Read CORPUS (.txt and .md, recursively) and write clean copies, "
        "translations, documents.jsonl, segments.jsonl and report.json to OUT.",
    )
    run.add_argument("corpus", nargs="?", type=Path, default=Path("corpus"),
                     help="input directory (default: corpus)")
    run.add_argument("--out", type=Path, default=Path("outputs"),
                     help="output directory (default: outputs)")
    run.add_argument("--to", metavar="LANGS", help="target languages, e.g. en,de "
                     "(default: the config's targets, else en)")
    run.add_argument("--config", type=Path, metavar="FILE",
                     help="TOML config file (default: pipeline.toml if present)")
    run.add_argument("--beam-size", type=int, metavar="N",
                     help="translation beam size (default 2; 1 is fastest)")
    run.add_argument("--no-cache", action="store_true",
                     help="bypass the translation memory (OUT/.pipeline/memory.sqlite)")
    run.add_argument("--force", action="store_true",
                     help="reprocess every document, changed or not")
    run.add_argument("--prune", action="store_true",
                     help="remove the outputs of documents deleted from CORPUS")
    run.add_argument("--dry-run", action="store_true",
                     help="print what would be processed, skipped and pruned; write nothing")
    run.add_argument("--workers", type=int, default=1, metavar="N",
                     help="worker processes (default 1)")
    run.add_argument("--executor", choices=("local", "ray"), default="local",
                     help="where shards run (default local; ray needs pip install .[ray])")
    run.add_argument("--ray-address", metavar="ADDR",
                     help="Ray cluster to attach to (auto or host:port; default: start one)")
    run.add_argument("--log-format", choices=("human", "json"), default="human",
                     help="log lines on stderr: human (default) or json")

    models = sub.add_parser("models", help="list, install or remove translation models",
                            description="Manage argostranslate packages (ARGOS_PACKAGES_DIR "
                            "is respected).")
    from pipeline import detect_cli, explain

    detect_cli.register(sub)
    explain.register(sub)

    msub = models.add_subparsers(dest="action", metavar="ACTION")
    msub.add_parser("list", help="installed language pairs")
    inst = msub.add_parser("install", help="install FILE.argosmodel, or SRC TGT from the "
                           "Argos index (needs internet)")
    inst.add_argument("what", nargs="+", metavar="FILE | SRC TGT")
    rem = msub.add_parser("remove", help="remove the model for SRC TGT")
    rem.add_argument("src")
    rem.add_argument("tgt")
    return parser


def _config_for(args: argparse.Namespace) -> Config:
    path = args.config
    if path is None and DEFAULT_CONFIG.is_file():
        path = DEFAULT_CONFIG
    config = load_config(path)
    if args.to:
        config.targets = parse_langs(args.to)
    if args.beam_size is not None:
        if args.beam_size < 1:
            raise ConfigError("--beam-size must be 1 or more")
        config.translate.beam_size = args.beam_size
    if not config.targets:
        raise ConfigError("no target language: pass --to en (or set targets in the config)")
    return config


def cmd_run(args: argparse.Namespace) -> int:
    from pipeline.log import RunLog
    from pipeline.runner import RunOptions, run

    config = _config_for(args)
    if args.workers < 1:
        raise ConfigError("--workers must be 1 or more")
    options = RunOptions(force=args.force, prune=args.prune, dry_run=args.dry_run,
                         executor=args.executor, workers=args.workers,
                         ray_address=args.ray_address, no_cache=args.no_cache)
    result = run(args.corpus, args.out, config, options, RunLog(args.log_format))
    report = result.report
    if args.dry_run:
        print(", ".join(f"{n} {what}" for what, n in sorted(report["plan"].items())) or "nothing")
        return result.exit_code
    print(f"{report['ok']}/{report['documents']} documents clean in {args.out}/clean/ "
          f"({report['processed']} processed, {report['unchanged']} unchanged)")
    for tgt, count in report["translated_documents"].items():
        print(f"{count} translated into {tgt} -> {args.out}/translations/{tgt}/")
    for failed in report["failed"]:
        print(f"failed: {failed['doc']}: {'; '.join(failed['errors'])}")
    for item in report["quarantined"]:
        print(f"quarantined: {item['doc']}: {item['reason']}")
    for doc in report["deleted_sources"]:
        print(f"source deleted (outputs kept; --prune removes them): {doc}")
    if report["interrupted"]:
        print("interrupted: the documents not yet processed will be processed by the next run")
    for pair, why in report["translation"].get("failed_models", {}).items():
        print(f"model failed, pair {pair} left untranslated: {why}")
    if report["missing_models"]:
        print("missing translation models (everything else was written):")
        for item in report["missing_models"]:
            print(f"  {item['pair']}: {item['install']}")
    print(f"report: {args.out}/report.json")
    return result.exit_code


def cmd_models(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from pipeline.engines import argos

    if args.action == "list":
        packages = argos.installed_packages()
        if not packages:
            print("no translation models installed; install one with "
                  "`pipeline models install FILE.argosmodel`")
        for pkg in packages:
            print(f"{pkg.from_code}-{pkg.to_code}  {pkg.version}  {pkg.path}")
        return 0
    if args.action == "install":
        if len(args.what) == 1:
            pkg = argos.install_file(Path(args.what[0]))
        elif len(args.what) == 2:
            pkg = argos.install_from_index(*parse_langs(",".join(args.what)))
        else:
            raise ConfigError("models install takes FILE.argosmodel or SRC TGT")
        print(f"installed {pkg.from_code}-{pkg.to_code} {pkg.version}")
        return 0
    if args.action == "remove":
        argos.remove(args.src, args.tgt)
        print(f"removed {args.src}-{args.tgt}")
        return 0
    parser.parse_args(["models", "--help"])
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command not in ("run", "models"):
        return args.handler(args)  # detect, explain: they report their own errors
    from pipeline.engines.argos import ModelError
    from pipeline.runner import (
        EXIT_LOCKED,
        EXIT_OUTPUT,
        EXIT_USAGE,
        LockedError,
        OutputError,
        UsageError,
    )

    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "models":
            return cmd_models(args, parser)
        return args.handler(args)
    except (ConfigError, UsageError, ModelError) as exc:
        print(f"pipeline: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LockedError as exc:
        print(f"pipeline: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except OutputError as exc:
        print(f"pipeline: error: {exc}", file=sys.stderr)
        return EXIT_OUTPUT


if __name__ == "__main__":
    sys.exit(main())
