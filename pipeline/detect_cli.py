"""``pipeline detect``: the language of each line of standard input.

Examples::

    printf 'Mehr zum Thema\\nLeia mais\\n' | pipeline detect
    pipeline detect --candidates pt,de,en,es,fr --scores < lines.txt

One answer per input line, in input order: a language code, or with ``--scores``
one JSON object per line (``{"lang": "de", "score": 0.97, "scores": {...}}``,
probabilities over the candidates, or over the languages outside them that the
line may be in). The candidates narrow the choice; a line clearly in another
language gets that language's ISO 639-1 code ("ru", "pl"), and a line without
letters, or whose only words are a web or e-mail address, gets ``und``, as do a
line of a single letter (``y``, ``a``; one ideograph keeps its language) and a
short line whose words read as a candidate while its letters read as another
language (score 0.0, no scores).
Lines are split on "\\n" only (a trailing "\\r" is dropped) and decoded as UTF-8 (as
UTF-16 or UTF-32 when the input starts with its byte order mark), undecodable bytes
replaced (stderr says so once, with how to convert the input; a line mostly of them, or
with a NUL, is not text and gets ``und``: NOT_TEXT_SHARE); a line longer than
MAX_LINE_CHARS (100,000) characters is detected from its first 100,000. Lines are
scored in batches, so 100k lines take seconds, not minutes. Without ``--scores``,
lingua's models (a second or two to load) are loaded only when a line's answer depends
on them (see SETTLED_MARGIN): the answers are those ``--scores`` gives.
"""

from __future__ import annotations

import argparse
import codecs
import itertools
import json
import os
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from pipeline.config import ConfigError, load_config, parse_langs
from pipeline.languages import UNDETERMINED

if TYPE_CHECKING:  # imported when a line is detected: `pipeline --help` stays light
    from pipeline.stages.detect import Detect

# Lines scored together: large enough for lingua's parallel batch to pay off,
# small enough to stream.
BATCH_LINES = 2048
# The configuration `pipeline run` reads when present; its candidates are the default.
DEFAULT_CONFIG = Path("pipeline.toml")
# Without --scores only each line's answer is printed, and lingua (whose models take
# most of a short run: about 1.6 CPU seconds for the 7 default candidates) is asked
# only about the lines whose answer it could change. It lowers each candidate's score
# by 0 to LINGUA_SPAN points (3), so a line whose words alone put one candidate more
# than LINGUA_SPAN + SETTLED_MARGIN points ahead of every other (within its label's
# languages too, for an interface label) has the same answer either way: the rules
# read a line's scores through its best candidate (the open-set checks) and through
# decide_language's probabilities, rounded, where SETTLED_MARGIN keeps the winner's
# above the others'. With --scores every line gets lingua's scores, as before.
SETTLED_MARGIN = 1.0

# Answers kept for the lines already read, so that each distinct line is detected once:
# `yes | head -c 10M | pipeline detect` (5.2 million lines "y") took 178 CPU seconds, a
# site's boilerplate lines come back thousands of times. A line's answer depends on the
# line alone. Past this many lines kept, they are forgotten and the count starts again.
KNOWN_LINES = 100_000

# A line longer than this is detected from its first MAX_LINE_CHARS characters (cut at
# a space where there is one): its words are listed twice over while it is scored (the
# words, then their stored forms: about 22 bytes a character), and a 50 MB line (a
# minified page, a dump without newlines) took 1.5 GB, 10 MB 295 MB. 100,000 characters
# are about 15,000 words, far more than any line's language needs.
MAX_LINE_CHARS = 100_000

EXIT_OK = 0
EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    """Add the ``detect`` subcommand to a ``pipeline`` argument parser."""
    from pipeline.cli import JoinLists

    parser = subparsers.add_parser(
        "detect",
        help="print the language of each line of standard input",
        description="Read one text per line on standard input and print its language,\n"
        "one line per input line, in input order: an ISO 639-1 code (a language\n"
        "outside the candidates too, e.g. ru), or und where none is clear. The input\n"
        "is UTF-8, or UTF-16 or UTF-32 starting with a byte order mark.",
        epilog="examples:\n"
        "  echo 'A Coreia do Norte anunciou' | pipeline detect          # pt\n"
        "  pipeline detect --candidates pt,es < lines.txt > langs.txt\n"
        "  pipeline detect --scores < lines.txt | jq -r .lang",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--candidates",
        metavar="LANGS",
        action=JoinLists,
        help="languages to choose from, e.g. pt,de,en,es,fr (or --candidates pt "
        "--candidates de; default: the candidates of pipeline.toml, else the built-in "
        "defaults)",
    )
    parser.add_argument(
        "--scores",
        action="store_true",
        help='print one JSON object per line: {"lang", "score", "scores"}',
    )
    parser.set_defaults(handler=run_detect)


def candidates_for(option: str | None) -> list[str]:
    """The candidate languages: ``--candidates``, else pipeline.toml's, else defaults.

    >>> candidates_for("pt, de")
    ['pt', 'de']
    """
    if option is not None:
        return parse_langs(option, "--candidates:")
    # lexists, not is_file: a folder or a broken link named pipeline.toml is an error
    # saying so, as for `pipeline run`, never silently the defaults
    if not os.path.lexists(DEFAULT_CONFIG):
        return load_config(None).candidates()
    if DEFAULT_CONFIG.is_dir():
        raise ConfigError(f"{DEFAULT_CONFIG} in the current directory is a folder, not a "
                          "TOML file: rename it, or name the candidates with --candidates "
                          "LANGS")
    try:
        return load_config(DEFAULT_CONFIG).candidates()
    except ConfigError as exc:
        raise ConfigError(f"{exc} (read from the current directory for its candidates; "
                          "--candidates LANGS names them instead)") from None


# A line at least this share of whose characters (spaces aside) are U+FFFD (bytes that are
# not UTF-8, replaced) or control characters, or that holds a NUL, is not text: a PDF, an
# image or a zip piped in by mistake. Its random letters read as a candidate with full
# confidence (3,000 random bytes: 11 lines, 6 "fr" at 1.0); it is answered und, and the
# input said to be no text once. 0.4: random bytes give 0.48-0.67 a line; Portuguese in
# Latin-1 read as UTF-8 0.18-0.27 ("Ação" as "A" and two U+FFFD, "o"), which keeps
# its answer and gets a hint to convert the input instead.
NOT_TEXT_SHARE = 0.4

# Byte order marks of the encodings read instead of UTF-8 when the input starts with one
# (PowerShell's `>` writes UTF-16 with its mark; Notepad's "Unicode" is the same). The
# longer marks first: UTF-32-LE's starts with UTF-16-LE's.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def read_lines(stream: BinaryIO, undecodable: list[int] | None = None) -> Iterator[str]:
    """Lines of a byte stream, split on "\\n" only, decoded as UTF-8, or as UTF-16 or
    UTF-32 when the stream starts with its byte order mark; bytes that do not decode
    are replaced by U+FFFD, and ``undecodable`` is set to hold the number of the last line
    read that had some (a U+FFFD written in the input as UTF-8 is text, not counted).

    >>> import io
    >>> list(read_lines(io.BytesIO(b"um\\r\\ndois\\xc2\\x85tr\\xeas\\n\\nfim")))
    ['um', 'dois\\x85tr�s', '', 'fim']
    >>> list(read_lines(io.BytesIO(b"")))
    []
    >>> bad = []; _ = list(read_lines(io.BytesIO("ok\\nx\\ufffd\\n".encode() + b"\\xe9\\n"), bad))
    >>> bad
    [3]
    >>> list(read_lines(io.BytesIO("um\\r\\ndois\\n\\ntr\\u010as".encode("utf-16"))))
    ['um', 'dois', '', 'tr\\u010as']
    """
    raws = iter(stream)  # line by line, as they come: a terminal's are answered at once
    first = next(raws, None)
    if first is None:  # no input: no line
        return
    encoding = next((name for bom, name in BOMS if first.startswith(bom)), None)
    if encoding is None:
        for number, raw in enumerate(itertools.chain([first], raws), 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                line = raw.decode("utf-8", errors="replace")
                if undecodable is not None:
                    undecodable[:] = [number]
            yield line[:-1].removesuffix("\r") if line.endswith("\n") else line
        return
    # Split on b"\n" the bytes are not lines: decoded as they come, split on "\n".
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    pieces: list[str] = []  # of the line not ended yet
    for raw in itertools.chain([first], raws):
        *ended, rest = decoder.decode(raw).split("\n")
        for piece in ended:
            yield ("".join(pieces) + piece).removesuffix("\r")
            pieces = []
        pieces.append(rest)
    if last := "".join(pieces) + decoder.decode(b"", final=True):
        yield last


def detected_part(line: str, limit: int = MAX_LINE_CHARS) -> str:
    """The part of ``line`` its language is detected from: its first ``limit``
    characters, cut at the last space before them where there is one.

    >>> detected_part("um dois tr\u00eas", 9), detected_part("umdoistr\u00eas", 8)
    ('um dois', 'umdoistr')
    >>> line = "curta"; detected_part(line) is line
    True
    """
    if len(line) <= limit:
        return line
    cut = line[:limit]
    if line[limit].isspace() or cut[-1].isspace():
        return cut
    parts = cut.rsplit(None, 1)  # the last word, cut in two, left out
    return parts[0] if len(parts) == 2 else cut


def batches(lines: Iterable[str], size: int = BATCH_LINES) -> Iterator[list[str]]:
    """Consecutive lists of at most ``size`` lines.

    >>> list(batches("abcde", 2))
    [['a', 'b'], ['c', 'd'], ['e']]
    """
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def detect_lines(detect: Detect, lines: list[str], scores: bool) -> list[str]:
    """The output lines for a batch of input lines.

    >>> from pipeline.stages.detect import Detect
    >>> detect = Detect(["pt", "de", "en"])
    >>> detect_lines(detect, ["Mehr zum Thema", "", "Leia mais", "Это тест."], scores=False)
    ['de', 'und', 'pt', 'ru']
    >>> detect_lines(detect, ["臺灣的新聞說颱風來了。", "台湾的新闻说台风来了。"], False)
    ['zh-Hant', 'zh']
    >>> detect_lines(detect, ["Straße"], scores=True)
    ['{"lang": "de", "score": 1.0, "scores": {"de": 1.0, "en": 0.0, "pt": 0.0}}']
    """
    from pipeline.languages import chinese_variant
    from pipeline.stages.detect import LINGUA_MAX_WORDS, posterior, preload_language_models
    from pipeline.stages.detect import words as words_of

    out = []
    if scores:
        if any(0 < len(words_of(line)) <= LINGUA_MAX_WORDS for line in lines):
            preload_language_models(detect.scorer.candidates)  # on every core
        raws = detect.scorer.scores_many(lines)
    else:
        raws = answer_scores(detect, lines)
    opened = detect.open_languages(lines, raws, unclear=True)
    for line, raw, other in zip(lines, raws, opened, strict=True):
        lang, score = detect.decide(line, raw, "", other)
        if lang and (one_letter(line) or undecodable(line) >= NOT_TEXT_SHARE):
            lang, score = UNDETERMINED, 0.0
        lang = lang or UNDETERMINED
        if lang == "zh":  # the variant, as a run's documents and segments name it
            lang = chinese_variant(line)
        if scores:
            found = {} if lang == UNDETERMINED else other or raw
            record = {"lang": lang, "score": score, "scores": posterior(found) if found else {}}
            out.append(json.dumps(record, ensure_ascii=False))
        else:
            out.append(lang)
    return out


def undecodable(line: str) -> float:
    """The share of the characters of ``line`` (spaces aside) that are U+FFFD or
    control characters; 1.0 for a line with a NUL.

    >>> undecodable("Olá"), undecodable("A\\ufffd\\ufffdo \\ufffd"), undecodable("ab\\x00")
    (0.0, 0.6, 1.0)
    """
    if "\x00" in line:
        return 1.0
    chars = [char for char in line if not char.isspace()]
    bad = sum(char == "\ufffd" or unicodedata.category(char) == "Cc" for char in chars)
    return bad / len(chars) if chars else 0.0


# Characters that are a word on their own: a line of one of them has a language (名: zh).
WORD_CHARACTERS = ("CJK ", "HIRAGANA ", "KATAKANA ", "HANGUL SYLLABLE ")


def one_letter(line: str) -> bool:
    """Whether the only letter of ``line`` is one letter of an alphabet: ``y`` (as `yes`
    writes it), ``a``, ``e`` are a word in many languages and read as none (und); it was
    es, pt, it. An ideograph, a kana or a Hangul syllable alone keeps its language.

    >>> [one_letter(x) for x in ["y", " A. ", "e\u0301", "я", "2 x", "名", "ya", ""]]
    [True, True, True, True, True, False, False, False]
    """
    letters = list(itertools.islice((char for char in line if char.isalpha()), 2))
    return len(letters) == 1 and not unicodedata.name(letters[0], "").startswith(
        WORD_CHARACTERS)


def answer_scores(detect: Detect, lines: list[str]) -> list[dict[str, float]]:
    """Scores of ``lines`` that give the answers ``detect.scorer.scores_many`` would:
    the words' scores alone where lingua cannot change the answer (SETTLED_MARGIN),
    lingua's added for the other lines (its models loaded only when one needs them).

    >>> from pipeline.stages.detect import Detect
    >>> detect = Detect(["de", "en"])
    >>> found = answer_scores(detect, ["Mehr zum Thema", "Thema"])
    >>> found[0] == detect.scorer.scores_many(["Mehr zum Thema"], lingua=False)[0]
    True
    >>> found[1] == detect.scorer.scores_many(["Thema"])[0]
    True
    """
    from pipeline.stages.detect import LINGUA_MAX_WORDS, LINGUA_SPAN, preload_language_models
    from pipeline.stages.detect import words as words_of

    found = detect.scorer.scores_many(lines, lingua=False)
    unsettled = [
        i for i, line in enumerate(lines)
        if len(words_of(line)) <= LINGUA_MAX_WORDS
        and not settled(found[i], detect.labels.get(" ".join(words_of(line)), frozenset()),
                        LINGUA_SPAN + SETTLED_MARGIN)
    ]
    if unsettled:
        preload_language_models(detect.scorer.candidates)  # on every core
        full = detect.scorer.scores_many([lines[i] for i in unsettled])
        for i, scores in zip(unsettled, full, strict=True):
            found[i] = scores
    return found


def settled(scores: dict[str, float], label: frozenset[str], margin: float) -> bool:
    """Whether the best of ``scores`` leads every other by more than ``margin``,
    among ``label``'s languages as well when it names two or more of them.

    >>> settled({"de": -8.9, "en": -19.6}, frozenset(), 4.0)
    True
    >>> settled({"de": -8.9, "en": -11.0, "nl": -20.0}, frozenset(), 4.0)
    False
    >>> settled({"de": -8.9, "en": -19.6, "nl": -20.0}, frozenset({"en", "nl"}), 4.0)
    False
    >>> settled({}, frozenset(), 4.0)  # no words: no lingua either
    True
    """
    groups = [scores, {lang: s for lang, s in scores.items() if lang in label}]
    for group in groups:
        ranked = sorted(group.values(), reverse=True)
        if len(ranked) > 1 and ranked[0] - ranked[1] <= margin:
            return False
    return True


def said_once(lines: Iterable[str], undecoded: Sequence[int] = ()) -> Iterator[str]:
    """``lines``, saying on stderr, once, the first that is not text (NOT_TEXT_SHARE)
    and the first other line with bytes that are not UTF-8 (its number in ``undecoded``,
    which the reader of ``lines`` sets as it goes): what the input is, what to do."""
    told_binary = told_encoding = False
    for number, line in enumerate(lines, 1):
        if not told_binary or not told_encoding:
            share = undecodable(line)
            if share >= NOT_TEXT_SHARE and not told_binary:
                told_binary = True
                print(f"pipeline detect: warning: line {number} is not text (NUL bytes, or "
                      "bytes that are not UTF-8): answered und; is the input a binary file "
                      "(PDF, image, archive)? Extract its text first", file=sys.stderr)
            elif number in undecoded and share < NOT_TEXT_SHARE and not told_encoding:
                told_encoding = True
                print(f"pipeline detect: warning: line {number} has bytes that are not "
                      "UTF-8 (read as \ufffd); if the input is in a legacy code page, "
                      "convert it first: iconv -f cp1252 -t utf-8 < FILE | pipeline detect",
                      file=sys.stderr)
        yield line


def run_detect(
    args: argparse.Namespace, stdin: BinaryIO | None = None, stdout: TextIO | None = None
) -> int:
    """Handle ``pipeline detect``; returns the exit code (0 done, 2 usage error)."""
    stdin = stdin if stdin is not None else sys.stdin.buffer
    stdout = stdout if stdout is not None else sys.stdout
    from pipeline.stages.detect import Detect

    try:
        detect = Detect(candidates_for(args.candidates))
    except (ConfigError, ValueError) as exc:
        print(f"pipeline detect: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    size = BATCH_LINES
    # Typed by hand: each line answered at once, and a word on how to end.
    if getattr(stdin, "isatty", bool)():
        print("pipeline detect: type one text per line; Ctrl-D ends (or pipe a file: "
              "pipeline detect < lines.txt)", file=sys.stderr)
        size = 1
    known: dict[str, str] = {}  # KNOWN_LINES
    undecoded: list[int] = []  # the last line read with bytes that are not UTF-8
    lines = said_once(read_lines(stdin, undecoded), undecoded)
    for batch in batches(map(detected_part, lines), size):
        new = [line for line in dict.fromkeys(batch) if line not in known]
        if len(known) + len(new) > KNOWN_LINES:
            known = {line: known[line] for line in batch if line in known}
        if new:
            known.update(zip(new, detect_lines(detect, new, args.scores), strict=True))
        stdout.write("\n".join(known[line] for line in batch) + "\n")
        if size == 1:
            stdout.flush()
    stdout.flush()
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run ``detect`` on its own (``python -m pipeline.detect_cli``)."""
    parser = argparse.ArgumentParser(prog="pipeline")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["detect", *(sys.argv[1:] if argv is None else argv)])
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
