"""Found by running the product over a large corpus of saved documentation pages
(session 17): a Japanese word ending the whole run, code blocks cleaned and translated."""

import json
import sys
from pathlib import Path

from tests.test_stranger3 import _no_models, _run  # noqa: F401 - the fixture

EN = ("The harbour reopened on Tuesday after a strike that lasted three weeks and "
      "stopped every ship in the port.")


def _docs(out: Path) -> dict[str, dict]:
    lines = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    return {doc["doc"]: doc for doc in map(json.loads, lines)}


def _segments(out: Path) -> list[dict]:
    lines = (out / "segments.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_a_japanese_word_in_an_english_text_without_mecab_does_not_end_the_run(
        tmp_path, monkeypatch):
    # wordfreq looks Japanese and Korean words up through MeCab, an optional package;
    # without it, one Japanese word inside an English page ended the run: exit 70,
    # and every rerun again
    monkeypatch.setitem(sys.modules, "MeCab", None)  # import MeCab raises ImportError
    monkeypatch.setitem(sys.modules, "wordfreq.mecab", None)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "port.txt").write_text(
        f"{EN}\n\nThe manager of the port said the delays would last until next week.\n\n"
        "The union wrote このような依存関係は on its banner, and the workers are pleased "
        "with the new contract they signed.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert _run(corpus, out) == 0
    assert _docs(out)["port.txt"]["status"] == "ok"


PAGE = """<html><head><title>Control flow</title></head><body><article>
<h1>Control flow</h1>
<p>{en}</p>
<p>In the src/main.rs file of the new project, write the following program and run it.</p>
<pre><code class="language-rust">fn main() {{
    let number = 3;

    if number &lt; 5 {{
        println!("condition was true");
    }}
}}
</code></pre>
<p>Compile and run the program; you should see the following output on the screen.</p>
<pre>$ cargo run
   Compiling branches v0.1.0
    Finished dev profile
     Running target/debug/branches
condition was true</pre>
<p>The condition in this program must be a bool, or the compiler reports an error.</p>
</article></body></html>
"""


def test_a_pages_code_blocks_are_kept_as_they_are_never_cleaned_or_translated(tmp_path):
    # they were cleaned as prose (indentation gone, the closing braces removed as
    # repeated interface strings, console output joined into one line) and each line
    # detected and sent to translation: "fn main() {" in French, "}" in Latin...
    # (then left out of the copy; now kept there verbatim, tests/test_html_code.py)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "flow.html").write_text(PAGE.format(en=EN), encoding="utf-8")
    out = tmp_path / "out"
    assert _run(corpus, out) == 0
    clean = (out / "clean" / "flow.html.txt").read_text(encoding="utf-8")
    assert "write the following program and run it.\n\nfn main() {\n    let number = 3;\n\n" \
        "    if number < 5 {\n" in clean
    assert "\n\n$ cargo run\n   Compiling branches v0.1.0\n    Finished dev profile\n" in clean
    assert "must be a bool" in clean
    assert all("fn main" not in seg["text"] and "cargo run" not in seg["text"]
               for seg in _segments(out))
    removed = _docs(out)["flow.html"]["removed"]
    assert not [item for item in removed if item["reason"].startswith("code block")]


def test_a_page_of_code_blocks_alone_is_quarantined_saying_so(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "listing.html").write_text(
        "<html><body><article><pre><code>fn main() {\n    let port = 3;\n}\n</code></pre>"
        "</article></body></html>", encoding="utf-8")
    out = tmp_path / "out"
    assert _run(corpus, out) == 3
    doc = _docs(out)["listing.html"]
    assert doc["status"] == "quarantined"
    assert "only code blocks (1)" in doc["errors"][0]


def test_a_redirect_page_is_quarantined_naming_its_target(tmp_path):
    # a third of the Rust documentation's pages (6,732 of 20,000) are such redirects:
    # each became a document whose clean copy read "Redirection / Redirecting to
    # ../num/type.NonZeroU128.html ...", detected and sent to translation
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "old.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Redirecting...</title>\n'
        '<meta http-equiv="Refresh" content="0; URL=new-chapter.html"></head><body>\n'
        '<p>Redirecting to <a href="new-chapter.html">new-chapter.html</a>...</p>\n'
        '<script>location.replace("new-chapter.html");</script></body></html>\n',
        encoding="utf-8")
    # a live page that reloads itself every five minutes is read as any other
    (corpus / "live.html").write_text(
        '<html><head><title>Port news</title><meta http-equiv="refresh" content="300">'
        f"</head><body><article><h1>Port news</h1><p>{EN}</p></article></body></html>",
        encoding="utf-8")
    out = tmp_path / "out"
    assert _run(corpus, out) == 3
    docs = _docs(out)
    assert docs["old.html"]["status"] == "quarantined"
    assert "a redirect to new-chapter.html" in docs["old.html"]["errors"][0]
    assert not (out / "clean" / "old.html.txt").exists()
    assert docs["live.html"]["status"] == "ok"
    assert EN in (out / "clean" / "live.html.txt").read_text(encoding="utf-8")


def test_the_review_lists_at_most_a_thousand_quarantined_files_and_says_where_the_rest_are():
    # 20,000 pages of saved documentation held 6,732 redirects: the index page listed
    # every one (5 MB) before the totals and the index of documents
    from collections import Counter

    from pipeline.writers.review.overview import _eyes

    quarantined = [{"doc": f"old/page-{i}.html", "reason": f"a redirect to page-{i}.html"}
                   for i in range(1, 1_006)]
    failed = [{"doc": f"big-{i}.html", "errors": ["boom"]} for i in range(1, 1_003)]
    html = _eyes({"quarantined": quarantined, "failed": failed},
                 Counter(quarantined=1_005, failed=1_002), 0, "flags.html", {})
    assert "<b>1,005 files quarantined</b>" in html
    assert html.count("a redirect to page-") == 1_000
    assert "old/page-1000.html" in html and "old/page-1001.html" not in html
    assert "the first 1,000 of 1,005 quarantined files" in html
    assert html.count("<td>boom</td>") == 1_000
    assert "the first 1,000 of 1,002 failed documents" in html
