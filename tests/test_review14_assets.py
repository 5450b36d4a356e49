"""The report folder's style and script: written once, in report/assets/, linked by
every page of the folder (a 50,000-file corpus repeated ~11 KB of them in each of its
~6,000 block pages: ~70 MB of its 174 MB); the single page keeps them inline."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from pipeline.document import Block, Document, Segment, Source
from pipeline.writers import review
from pipeline.writers.review import write_report
from pipeline.writers.review.assets import SCRIPT, STYLE, assets


def doc(name: str, text: str) -> Document:
    return Document(name, text=text, source=Source(hashlib.sha256(text.encode()).hexdigest(),
                                                   "utf-8", len(text)), lang="pt",
                    lang_score=1.0, blocks=[Block("paragraph", text, "pt", [
                        Segment(f"{name}#1.1", text, "pt", 1.0, {"en": f"[en] {text}"})])])


DOCS = [doc(f"notas/nota-{n:02d}.txt", f"O porto reabriu no dia {n}.") for n in range(30)]
REPORT = {"targets": ["en"], "documents": len(DOCS)}


class Memo:
    def __init__(self) -> None:
        self.value = ""

    def get(self) -> str:
        return self.value

    def set(self, value: str) -> None:
        self.value = value


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(review, "SINGLE_PAGE_DOCUMENTS", 2)
    write_report(tmp_path, DOCS, REPORT)
    return tmp_path / "report"


def pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def test_every_folder_page_links_the_one_style_and_script_and_holds_neither(folder):
    files = assets()
    assert sorted(p.name for p in (folder / "assets").iterdir()) == sorted(files)
    for name, text in files.items():
        assert (folder / "assets" / name).read_text(encoding="utf-8") == text
        # The name holds the text's digest: a new version is a new file, never mixed.
        assert hashlib.sha256(text.encode()).hexdigest()[:12] in name
    found = pages(folder)
    assert {p.parent.name for p in found} == {"report", "d", "list"}
    for page in found:
        html = page.read_text(encoding="utf-8")
        assert STYLE.strip() not in html and SCRIPT.strip() not in html, page
        assert "<style" not in html and "<script>" not in html, page
        links = re.findall(r'<link rel="stylesheet" href="([^"]+)">', html)
        scripts = re.findall(r'<script src="([^"]+)"></script>', html)
        assert len(links) == len(scripts) == 1, page
        # Relative links that resolve to the files, from the page's own folder.
        assert (page.parent / links[0]).resolve() == (folder / "assets" / [
            n for n in files if n.endswith(".css")][0]).resolve()
        assert (page.parent / scripts[0]).resolve() == (folder / "assets" / [
            n for n in files if n.endswith(".js")][0]).resolve()
        assert "style-src 'self'; script-src 'self'" in html


def test_the_single_page_keeps_its_style_and_script_inline(folder, tmp_path):
    assert (folder / "assets").is_dir()  # a folder was written first: it is replaced
    write_report(folder.parent, DOCS[:2], REPORT)
    tmp_path = folder.parent
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f"<style>{STYLE}</style>" in html and f"<script>{SCRIPT}</script>" in html
    assert not (tmp_path / "report").exists()


def test_a_style_or_script_of_another_version_is_removed(folder, monkeypatch):
    old = folder / "assets" / "report-0123456789ab.css"
    old.write_text("body { color: red }")
    mine = folder / "assets" / "notes.txt"  # not the writer's: left alone
    mine.write_text("a reviewer's notes")
    write_report(folder.parent, DOCS, REPORT)
    assert not old.exists() and mine.exists()
    assert all((folder / "assets" / name).is_file() for name in assets())


def test_an_unchanged_rerun_writes_a_deleted_asset_again(tmp_path, monkeypatch):
    monkeypatch.setattr(review, "SINGLE_PAGE_DOCUMENTS", 2)
    memo = Memo()
    write_report(tmp_path, DOCS, REPORT, memo=memo)
    assert memo.get()  # the folder is vouched for
    style = next((tmp_path / "report" / "assets").glob("*.css"))
    style.unlink()
    write_report(tmp_path, DOCS, REPORT, memo=memo)
    assert style.read_text(encoding="utf-8") == STYLE

