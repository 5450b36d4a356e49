"""Saved-page archives (.mhtml, .mht, .webarchive) in the corpus: their page is read."""

from __future__ import annotations

import plistlib
import quopri
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.runner import RunOptions, run
from tests.conftest import TaggingEngine

# No <meta charset>: the archive's part header says the page's charset.
PAGE = """<!DOCTYPE html><html lang="pt"><head><title>Porto reabre | Jornal</title></head>
<body><nav><a href="/">Início</a></nav><article><h1>Porto de Lisboa reabre</h1>
<p>O porto de Lisboa reabriu ontem depois de três semanas de obras no cais principal.</p>
<p>A câmara diz que as obras custaram dois milhões de euros e que o cais aguenta navios
maiores.</p></article></body></html>"""
CLEAN = ("Porto de Lisboa reabre\n\nO porto de Lisboa reabriu ontem depois de três semanas "
         "de obras no cais principal.\n\nA câmara diz que as obras custaram dois milhões de "
         "euros e que o cais aguenta navios maiores.\n")


def mhtml(page: bytes, charset: str) -> bytes:
    """An archive as Chrome's "Save page as... Webpage, single file" writes it: the page
    quoted-printable, then an image and a frame (the saved page's other parts)."""
    head = (b"From: <Saved by Blink>\r\nSnapshot-Content-Location: https://jornal.example/p\r\n"
            b"Subject: Porto reabre\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n"
            b'\ttype="text/html";\r\n\tboundary="----MultipartBoundary--x1"\r\n\r\n')
    frame = (b"------MultipartBoundary--x1\r\nContent-Type: text/html\r\n"
             b"Content-Location: https://ads.example/frame\r\n\r\n<p>Buy now</p>\r\n")
    image = (b"------MultipartBoundary--x1\r\nContent-Type: image/png\r\n"
             b"Content-Transfer-Encoding: base64\r\nContent-Location: https://jornal.example/a.png"
             b"\r\n\r\niVBORw0KGgo=\r\n")
    main = (b"------MultipartBoundary--x1\r\nContent-Type: text/html; charset=" + charset.encode()
            + b"\r\nContent-Transfer-Encoding: quoted-printable\r\n"
            b"Content-Location: https://jornal.example/p\r\n\r\n"
            + quopri.encodestring(page).replace(b"\n", b"\r\n") + b"\r\n")
    return head + frame + main + image + b"------MultipartBoundary--x1--\r\n"


def webarchive(page: bytes, charset: str) -> bytes:
    """Safari's web archive: a binary property list holding the page and its resources."""
    return plistlib.dumps({
        "WebMainResource": {"WebResourceData": page, "WebResourceMIMEType": "text/html",
                            "WebResourceTextEncodingName": charset,
                            "WebResourceURL": "https://jornal.example/p",
                            "WebResourceFrameName": ""},
        "WebSubresources": [{"WebResourceData": b"\x89PNG", "WebResourceMIMEType": "image/png",
                             "WebResourceURL": "https://jornal.example/a.png"}],
    }, fmt=plistlib.FMT_BINARY)


@pytest.fixture(autouse=True)
def _no_models(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


def test_a_saved_page_archive_is_read_as_its_page(tmp_path: Path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "porto.mhtml").write_bytes(mhtml(PAGE.encode("cp1252"), "windows-1252"))
    (corpus / "porto-utf8.mht").write_bytes(mhtml(PAGE.encode("utf-8"), "utf-8"))
    (corpus / "porto.webarchive").write_bytes(webarchive(PAGE.encode("cp1252"), "ISO-8859-1"))
    result = run(corpus, out, Config(targets=["en"]), RunOptions(no_cache=True),
                 engine=TaggingEngine())
    assert result.exit_code == 0, result.report
    for name in ("porto.mhtml", "porto-utf8.mht", "porto.webarchive"):
        assert (out / "clean" / f"{name}.txt").read_text(encoding="utf-8") == CLEAN


def test_an_archive_without_a_page_is_quarantined_with_the_reason(tmp_path: Path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "notes.mhtml").write_bytes(b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nx")
    (corpus / "cut.webarchive").write_bytes(webarchive(PAGE.encode(), "UTF-8")[:40])
    result = run(corpus, out, Config(targets=["en"]), RunOptions(no_cache=True),
                 engine=TaggingEngine())
    assert result.exit_code == 3
    reasons = {q["doc"]: q["reason"] for q in result.report["quarantined"]}
    assert reasons["notes.mhtml"].startswith("no HTML page in the MHTML archive")
    assert reasons["cut.webarchive"].startswith("not a web archive")


AD = ("<!DOCTYPE html><html><head><title>Ad</title></head><body><div><p>Compre o novo "
      "telemóvel hoje, com portes grátis em todas as encomendas acima de cinquenta euros e "
      "dois anos de garantia.</p></div></body></html>")


@pytest.mark.parametrize("folder", ["porto_files", "porto-Dateien"])
def test_the_pages_a_saved_page_embeds_are_no_documents(tmp_path: Path, folder: str):
    # "Save page as... Webpage, complete": the page, and beside it a folder with its
    # styles, scripts, images and the pages of its embeds (an advertisement's iframe)
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    (corpus / folder).mkdir(parents=True)
    (corpus / "porto.html").write_text(
        PAGE.replace("</article>", f'</article><iframe src="{folder}/saved_resource.html">'
                     "</iframe>"), encoding="utf-8")
    (corpus / folder / "saved_resource.html").write_text(AD, encoding="utf-8")
    (corpus / folder / "style.css").write_text("body { margin: 0 }", encoding="utf-8")
    result = run(corpus, out, Config(targets=["en"]), RunOptions(no_cache=True),
                 engine=TaggingEngine())
    assert (out / "clean" / "porto.html.txt").read_text(encoding="utf-8") == CLEAN
    assert not (out / "clean" / folder / "saved_resource.html.txt").exists()
    # Listed as skipped, all of the folder's files under one heading, not quarantined
    # (every run ended with exit 3) nor told to "convert it to .txt if it is text".
    assert result.report["quarantined"] == []
    assert result.exit_code == 0
    skipped = result.report["skipped_by_suffix"]
    assert skipped == {"(parts of saved pages)": {"files": 2, "advice": skipped[
        "(parts of saved pages)"]["advice"]}}
    assert skipped["(parts of saved pages)"]["advice"].startswith("a part of a saved page")


def test_the_frames_of_a_saved_frameset_are_its_documents(tmp_path: Path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    (corpus / "livro_files").mkdir(parents=True)
    (corpus / "livro.html").write_text(
        '<html><frameset cols="20%,80%"><frame src="livro_files/menu.html">'
        '<frame src="livro_files/cap%C3%ADtulo.html"></frameset></html>', encoding="utf-8")
    (corpus / "livro_files" / "capítulo.html").write_text(PAGE, encoding="utf-8")
    result = run(corpus, out, Config(targets=["en"]), RunOptions(no_cache=True),
                 engine=TaggingEngine())
    assert (out / "clean" / "livro_files" / "capítulo.html.txt").read_text(
        encoding="utf-8") == CLEAN, result.report
