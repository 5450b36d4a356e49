"""`pipeline detect` given bytes that are not text, or text that is not UTF-8."""

import argparse
import io
import random

from pipeline.detect_cli import run_detect


def _detect(data: bytes, capsys) -> tuple[list[str], str]:
    args = argparse.Namespace(candidates="pt,de,en,es,fr,it,nl", scores=False)
    stdout = io.StringIO()
    assert run_detect(args, io.BytesIO(data), stdout) == 0
    return stdout.getvalue().split("\n")[:-1], capsys.readouterr().err


def test_random_bytes_are_no_language_and_said_to_be_no_text(capsys):
    # A PDF or an archive piped in by mistake: its random letters were read as French
    # with full confidence (6 lines of 11, "fr" at 1.0).
    rng = random.Random(7)
    noise = b"\n".join(bytes(rng.choice(range(11, 256)) for _ in range(300))
                       for _ in range(10))  # ten lines of random bytes (no NUL, no newline)
    answers, err = _detect(b"\x89PNG" + noise + b"\nO governo anunciou novas medidas hoje.\n",
                           capsys)
    assert answers == ["und"] * 10 + ["pt"]
    assert err.count("is not text") == 1 and "line 1 " in err, err


def test_a_line_with_a_nul_is_no_language():
    args = argparse.Namespace(candidates="pt,en", scores=True)
    stdout = io.StringIO()
    assert run_detect(args, io.BytesIO(b"the port re\x00opened today\n"), stdout) == 0
    assert stdout.getvalue() == '{"lang": "und", "score": 0.0, "scores": {}}\n'


def test_latin1_text_keeps_its_language_and_gets_a_hint_to_convert_it(capsys):
    # Portuguese in Latin-1: its accented letters read as U+FFFD (a quarter of its
    # letters), its words still Portuguese; the warning says how to convert the input.
    text = "A ação é necessária para o país.\nO governo não disse nada.\n"
    answers, err = _detect(text.encode("latin-1"), capsys)
    assert answers == ["pt", "pt"]
    assert err.count("not UTF-8") == 1 and "iconv -f cp1252 -t utf-8" in err, err
    assert "is not text" not in err


def test_a_replacement_character_written_in_utf8_is_text_not_an_encoding_error(capsys):
    # A scraped corpus often carries U+FFFD from an earlier lossy conversion: its bytes
    # are UTF-8, and the input needs no converting.
    answers, err = _detect("O governo anunciou a decis\ufffdo ontem.\n".encode(), capsys)
    assert answers == ["pt"] and err == ""
