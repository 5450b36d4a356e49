"""A web page's code blocks (<pre>) in its copies: verbatim, where the page has them,
never cleaned, segmented, detected, translated, remembered or aligned, as a Markdown
file's code is (pipeline/readers/html.py).

The fixtures are written here: a Portuguese tutorial page with a listing (highlighted,
tabs, a blank line, an entity) and console output (a <br>, lone closing braces that the
cleanup took for repeated interface lines), and the shapes real documentation has (a
listing in a <figure>, a code block inside a list item, two variants of one example in
one <pre> with a "copy" button, a code block after a line the cleanup removes).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from pipeline.cli import main
from pipeline.config import Config
from pipeline.document import Document
from pipeline.readers.html import HtmlReader
from pipeline.shard import DocumentOutput, ShardProcessor
from pipeline.writers.parallel import write_parallel

PAGE = """<!DOCTYPE html>
<html lang="pt"><head><meta charset="utf-8"><title>Controlo de fluxo | Guia</title></head>
<body><nav><a href="/">Início</a> <a href="/guia">Guia</a></nav><article>
<h1>Controlo de fluxo</h1>
<p>O porto de Santos reabriu na terça-feira depois de uma greve de três semanas que parou \
todos os navios do cais.</p>
<p>No ficheiro do novo projeto, escreva o programa seguinte e execute-o no terminal do \
computador.</p>
<pre><code class="language-rust"><span class="k">fn</span> main() {
    let numero = 3;

\tif numero &lt; 5 {
        println!("a condição era verdadeira");  // dois  espaços
    }
}
</code></pre>
<p>Compile e execute o programa; deve ver o resultado seguinte no ecrã do computador.</p>
<pre>$ cargo run<br>   Compiling ramos v0.1.0
condição verdadeira
}
}</pre>
<p>A condição deste programa tem de ser um valor lógico, senão o compilador indica um \
erro.</p>
</article></body></html>
"""

LISTING = """fn main() {
    let numero = 3;

\tif numero < 5 {
        println!("a condição era verdadeira");  // dois  espaços
    }
}"""
OUTPUT = """$ cargo run
   Compiling ramos v0.1.0
condição verdadeira
}
}"""
PROSE = [
    "Controlo de fluxo",
    "O porto de Santos reabriu na terça-feira depois de uma greve de três semanas que parou "
    "todos os navios do cais.",
    "No ficheiro do novo projeto, escreva o programa seguinte e execute-o no terminal do "
    "computador.",
    "Compile e execute o programa; deve ver o resultado seguinte no ecrã do computador.",
    "A condição deste programa tem de ser um valor lógico, senão o compilador indica um erro.",
]
CLEAN = "\n\n".join([*PROSE[:3], LISTING, PROSE[3], OUTPUT, PROSE[4]]) + "\n"
# Pieces of the code blocks that must never be sent to translation, nor stand in a
# segment or the parallel corpora.
CODE_PIECES = ("fn main", "numero = 3", "println", "cargo run", "Compiling", "verdadeira")


class Engine:
    """Translates by upper-casing; records what it was asked."""

    def __init__(self) -> None:
        self.inputs: list[str] = []

    def route(self, src: str, tgt: str):
        return [] if src == tgt else [f"{src}-{tgt}"]

    def translate(self, texts, src: str, tgt: str) -> list[str]:
        self.inputs += texts
        return [text.upper() for text in texts]

    def model_id(self, src: str, tgt: str) -> str:
        return f"upper {src}-{tgt}"


def process(tmp_path: Path, page: str, name: str = "fluxo.html") -> tuple[DocumentOutput, Engine]:
    """The page read as the corpus's reader reads it, through every stage, into English."""
    path = tmp_path / name
    path.write_text(page, encoding="utf-8")
    items = list(HtmlReader().items(name, path, path.read_bytes))
    engine = Engine()
    (out,) = ShardProcessor(Config(targets=["en"]), engine=engine)(items).docs
    assert out.status == "ok", out.errors
    return out, engine


def test_a_pages_code_blocks_are_in_its_clean_copy_verbatim_where_the_page_has_them(tmp_path):
    # they were left out (and listed in "removed"); before that, cleaned as prose:
    # indentation gone, the lone braces removed as repeated interface lines
    out, _ = process(tmp_path, PAGE)
    assert out.files["clean/fluxo.html.txt"] == CLEAN
    record = json.loads(out.record)
    assert record["removed"] == []
    assert not any(f["before"].strip() == "}" for f in record["fixes"])
    # documents.jsonl says where they are: after which text block, on which lines
    assert record["code"] == [{"after": 3, "line": 7, "lines": 7},
                              {"after": 4, "line": 17, "lines": 5}]
    lines = CLEAN.split("\n")
    assert "\n".join(lines[6:13]) == LISTING and "\n".join(lines[16:21]) == OUTPUT
    assert list(record)[list(record).index("removed") + 1] == "code"


def test_code_blocks_are_never_translated_and_each_translated_copy_holds_them(tmp_path):
    out, engine = process(tmp_path, PAGE)
    asked = "\n".join(engine.inputs)
    assert asked and not any(piece in asked for piece in CODE_PIECES)
    translated = out.files["translations/en/fluxo.html.txt"]
    assert translated == "\n\n".join(
        [*(p.upper() for p in PROSE[:3]), LISTING, PROSE[3].upper(), OUTPUT,
         PROSE[4].upper()]) + "\n"


def test_code_blocks_are_no_segments_and_the_segments_are_numbered_without_them(tmp_path):
    out, _ = process(tmp_path, PAGE)
    doc = Document.from_json(out.document)
    assert [(b.kind, b.text, b.segments) for b in doc.blocks if b.kind == "code"] == [
        ("code", LISTING, []), ("code", OUTPUT, [])]
    records = [json.loads(line) for line in out.segments.splitlines()]
    assert [r["text"] for r in records] == PROSE
    # block N of segments.jsonl is the N-th text block, as its segment ids say
    assert [r["block"] for r in records] == [1, 2, 3, 4, 5]
    assert [r["id"] for r in records] == [f"fluxo.html#{n}.1" for n in range(1, 6)]
    assert not any(s.text.count("\n") or s.lang == "" for s in doc.segments())
    write_parallel(tmp_path / "out", [doc], ["en"])
    for name in ("corpus.pt", "corpus.en", "corpus.tsv", "corpus.tmx"):
        text = (tmp_path / "out" / "parallel" / "pt-en" / name).read_text(encoding="utf-8")
        assert not any(piece.lower() in text.lower() for piece in CODE_PIECES), name


def test_a_code_block_follows_the_paragraph_before_it_that_the_cleanup_kept(tmp_path):
    # "Compartilhar" (a share widget) before the listing and the page's navigation
    # label after it are removed: the listing keeps its place after the paragraph
    # before them; a listing before any paragraph comes right after the headline
    page = PAGE.replace(
        "<pre><code class", "<p>Compartilhar</p>\n<pre><code class").replace(
        "<p>O porto", "<pre>porto = Santos</pre>\n<p>O porto")
    out, _ = process(tmp_path, page)
    assert out.files["clean/fluxo.html.txt"] == "\n\n".join(
        [PROSE[0], "porto = Santos", *PROSE[1:3], LISTING, PROSE[3], OUTPUT, PROSE[4]]) + "\n"
    assert [r["text"] for r in json.loads(out.record)["removed"]] == ["Compartilhar"]


def test_the_shapes_of_real_documentation(tmp_path):
    # a listing in a <figure> (the Rust book's; the extractor dropped figures whole),
    # a code block in a list item (its lines were list items, cleaned and translated),
    # two variants of one example in one <pre> with a "copy" button (Node.js's)
    page = PAGE.replace("<pre><code class", "<figure><pre><code class").replace(
        "</code></pre>", "</code></pre><figcaption>Listagem 3-1: um programa com uma "
        "condição simples</figcaption></figure>").replace(
        "<p>A condição deste", "<ol><li><p>Acrescente uma condição nova ao programa do "
        "exemplo anterior e compile-o outra vez.</p><pre><code>let limite = 10;\n</code>"
        "</pre><p>Execute o programa mais uma vez no terminal.</p></li></ol>\n"
        "<pre class=\"with-chars\"><input type=\"checkbox\"><code class=\"cjs\">const a = "
        "require('a');</code><code class=\"mjs\">import a from 'a';</code>"
        "<button class=\"copy-button\">copy</button></pre>\n<p>A condição deste")
    out, engine = process(tmp_path, page)
    clean = out.files["clean/fluxo.html.txt"]
    assert f"\n\n{LISTING}\n\nListagem 3-1: um programa com uma condição simples\n\n" in clean
    assert ("\n\nAcrescente uma condição nova ao programa do exemplo anterior e compile-o "
            "outra vez.\n\nlet limite = 10;\n\nExecute o programa mais uma vez no terminal."
            "\n\nconst a = require('a');\nimport a from 'a';\n\nA condição deste") in clean
    asked = "\n".join(engine.inputs)
    assert "limite" not in asked and "require" not in asked and "copy" not in clean


def test_the_text_beside_a_code_block_outside_paragraphs_is_kept_as_paragraphs(tmp_path):
    # hand-written pages (zlib's "zlib Usage Example") write their prose straight into
    # the body between the listings, or a listing in the middle of a paragraph (the
    # parser closes the <p> at the <pre>): the text after a listing was lost, and a
    # <div>'s listing became inline code in one paragraph with the text around it
    page = PAGE.replace("<p>Compile e execute o programa;", "Compile e execute o programa;"
                        ).replace("computador.</p>\n<pre>$", "computador.\n<pre>$").replace(
        "}</pre>\n<p>A condição", "}</pre>\nA <b>condição</b>").replace(
        "indica um erro.</p>", "indica um erro.\n<p>O compilador diz <tt>expected bool</tt> "
        "e a linha do erro:<pre>if numero {</pre> e depois <a href='/e'>a explicação</a> "
        "completa.</p><div>Corrija o programa com uma comparação:<pre>if numero != 0 {</pre>"
        "e compile-o de novo no terminal.</div>")
    out, engine = process(tmp_path, page)
    assert out.files["clean/fluxo.html.txt"] == CLEAN[:-1] + "\n\n" + "\n\n".join([
        "O compilador diz expected bool e a linha do erro:", "if numero {",
        "e depois a explicação completa.", "Corrija o programa com uma comparação:",
        "if numero != 0 {", "e compile-o de novo no terminal."]) + "\n"
    asked = "\n".join(engine.inputs)
    assert "if numero" not in asked and "expected bool" not in asked


def test_a_run_keeps_code_out_of_the_memory_and_reruns_and_prunes_as_before(
        tmp_path, pt_en_models):
    # a genuine (tiny) Argos package: the translation memory holds what was translated
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "fluxo.html").write_text(PAGE, encoding="utf-8")
    (corpus / "nota.txt").write_text(PROSE[1] + "\n", encoding="utf-8")
    assert main(["run", str(corpus), "--out", str(out), "--to", "en"]) == 0
    assert (out / "clean" / "fluxo.html.txt").read_text(encoding="utf-8") == CLEAN
    translated = (out / "translations" / "en" / "fluxo.html.txt").read_text(encoding="utf-8")
    assert f"\n\n{LISTING}\n\n" in translated and f"\n\n{OUTPUT}\n\n" in translated
    with sqlite3.connect(out / ".pipeline" / "memory.sqlite") as db:
        remembered = "\n".join(str(row) for row in db.execute("SELECT * FROM entries"))
    assert PROSE[1] in remembered
    assert not any(piece in remembered for piece in CODE_PIECES)
    files = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
             and p.name not in ("report.json", "report.html") and ".pipeline" not in p.parts}
    # an unchanged rerun processes nothing and changes nothing
    assert main(["run", str(corpus), "--out", str(out), "--to", "en"]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert (report["processed"], report["unchanged"]) == (0, 2)
    assert files == {p: p.read_bytes() for p in files}
    # the page deleted, --prune removes its copies
    (corpus / "fluxo.html").unlink()
    assert main(["run", str(corpus), "--out", str(out), "--to", "en", "--prune"]) == 0
    assert not (out / "clean" / "fluxo.html.txt").exists()
    assert not (out / "translations" / "en" / "fluxo.html.txt").exists()


def test_the_review_report_shows_each_code_block_as_it_is_in_its_place(tmp_path):
    out, _ = process(tmp_path, PAGE)
    assert out.section is not None
    section = out.section.html.decode("utf-8")
    assert '<td class="code" colspan="3">' in section
    assert "fn main() {\n    let numero = 3;\n\n\tif numero &lt; 5 {" in section
    assert section.index("execute-o no terminal") < section.index("fn main()") < section.index(
        "Compile e execute") < section.index("$ cargo run") < section.index("A condição deste")
    assert "<dt>code blocks</dt><dd>2 of the paragraphs, as the page has them" in section
