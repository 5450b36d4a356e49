"""Inline code in a web page's sentences (<code>, <kbd>, <samp>, <tt>) is protected as a
Markdown file's inline code is (pipeline/readers/html.py): never repaired, never a
foreign span, one protected span in translation restored byte for byte, a lost
placeholder flagged; the copies, segments.jsonl and the parallel corpora hold plain
text with the code in its sentence.

The fixtures are written here: a Portuguese tutorial page whose sentences name
commands, files, options and keys, with the spacing and hyphens the repair stage
changes in prose ("src/main.rs .", "norte -coreana").
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from pipeline.cli import main
from pipeline.config import Config
from pipeline.document import Block, Document, Fix, Removed, Segment, Span
from pipeline.readers.html import HtmlReader
from pipeline.shard import DocumentOutput, ShardProcessor
from pipeline.writers.parallel import write_parallel

PAGE = """<!DOCTYPE html>
<html lang="pt"><head><meta charset="utf-8"><title>Instalar o pacote | Guia</title></head>
<body><article>
<h1>Como instalar o pacote</h1>
<p>Para instalar o pacote, execute o comando <code>pip install requests</code> no terminal \
e aguarde alguns segundos.</p>
<p>Depois, abra o ficheiro <code>src/main.rs</code> . Lá, altere a opção <code>--force</code> \
para o valor desejado e grave o ficheiro.</p>
<p>Para copiar, prima <kbd>Ctrl</kbd>+<kbd>C</kbd>; a saída <samp>erro: ficheiro em \
falta</samp> indica um problema, e <tt>make all</tt> volta a compilar.</p>
<p>A regra <code>norte -coreana</code> fica como está, tal como <code>e -mail</code> no \
programa.</p>
<h2>O tipo <code>Option</code> e a função <code>main</code></h2>
<p>O tamanho de <var>n</var> define quantos elementos o vetor guarda na memória do \
programa.</p>
<p>Os <code>struct</code>s e os <code>enum</code>s do programa ficam no ficheiro \
<code>src/main.rs</code>.</p>
<ul><li><code>cargo build --release</code></li></ul>
</article></body></html>
"""

CLEAN = """Como instalar o pacote

Para instalar o pacote, execute o comando pip install requests no terminal e aguarde \
alguns segundos.

Depois, abra o ficheiro src/main.rs . Lá, altere a opção --force para o valor desejado e \
grave o ficheiro.

Para copiar, prima Ctrl+C; a saída erro: ficheiro em falta indica um problema, e make all \
volta a compilar.

A regra norte -coreana fica como está, tal como e -mail no programa.

O tipo Option e a função main

O tamanho de n define quantos elementos o vetor guarda na memória do programa.

Os structs e os enums do programa ficam no ficheiro src/main.rs.

cargo build --release
"""

# Each translated by an engine that upper-cases what it is given: the code comes back
# as the page has it, also where it is glued to a word ("structs"), the prose (and
# <var>, a variable's name, which is prose) does not; a list item of code alone is in
# no language, copied.
TRANSLATED = """COMO INSTALAR O PACOTE

PARA INSTALAR O PACOTE, EXECUTE O COMANDO pip install requests NO TERMINAL E AGUARDE \
ALGUNS SEGUNDOS.

DEPOIS, ABRA O FICHEIRO src/main.rs . LÁ, ALTERE A OPÇÃO --force PARA O VALOR DESEJADO E \
GRAVE O FICHEIRO.

PARA COPIAR, PRIMA Ctrl+C; A SAÍDA erro: ficheiro em falta INDICA UM PROBLEMA, E make all \
VOLTA A COMPILAR.

A REGRA norte -coreana FICA COMO ESTÁ, TAL COMO e -mail NO PROGRAMA.

O TIPO Option E A FUNÇÃO main

O TAMANHO DE N DEFINE QUANTOS ELEMENTOS O VETOR GUARDA NA MEMÓRIA DO PROGRAMA.

OS structS E OS enumS DO PROGRAMA FICAM NO FICHEIRO src/main.rs.

cargo build --release
"""

CODES = ("pip install requests", "src/main.rs", "--force", "Ctrl", "erro: ficheiro em falta",
         "make all", "norte -coreana", "e -mail", "Option")


class Engine:
    """Translates by upper-casing (a placeholder stays as it is, as a model copies an
    acronym); ``lose`` drops every placeholder instead. Records what it was asked."""

    def __init__(self, lose: bool = False) -> None:
        self.inputs: list[str] = []
        self.lose = lose

    def route(self, src: str, tgt: str):
        return [] if src == tgt else [f"{src}-{tgt}"]

    def translate(self, texts, src: str, tgt: str) -> list[str]:
        self.inputs += texts
        if self.lose:
            return [re.sub(r"\s*ZZ[A-Z]+", "", text).upper() for text in texts]
        return [text.upper() for text in texts]

    def model_id(self, src: str, tgt: str) -> str:
        return f"upper {src}-{tgt}"


def process(tmp_path: Path, page: str = PAGE, engine: Engine | None = None,
            ) -> tuple[DocumentOutput, Engine]:
    """The page through every stage, as the corpus's reader reads it, into English."""
    path = tmp_path / "guia.html"
    path.write_text(page, encoding="utf-8")
    items = list(HtmlReader().items("guia.html", path, path.read_bytes))
    engine = engine or Engine()
    (out,) = ShardProcessor(Config(targets=["en"]), engine=engine)(items).docs
    assert out.status == "ok", out.errors
    return out, engine


def test_the_clean_copy_is_plain_text_and_the_cleanup_never_changes_code_nor_around_it(
        tmp_path):
    # the repair stage took the code for prose: "src/main.rs ." lost its space, the
    # hyphens were joined ("norte-coreana", "e-mail")
    out, _ = process(tmp_path)
    assert out.files["clean/guia.html.txt"] == CLEAN
    assert json.loads(out.record)["fixes"] == []


def test_code_is_never_a_foreign_span_nor_inside_one(tmp_path):
    # "pip install requests" and "make all" were English spans of the Portuguese page,
    # "src/main" a French one; a span around code ("the quick ... the lazy dog" with
    # `fn main` inside) would have carried the code into a translation of its own; it
    # went whole, English words and all: now it is cut at the code
    page = PAGE.replace("</article>", "<p>Então o programa escreve the quick brown fox "
                        "jumps over <code>fn main</code> the lazy dog no ecrã.</p></article>")
    out, _ = process(tmp_path, page)
    record = json.loads(out.record)
    assert not any(code in span["text"] for span in record["spans"]
                   for code in (*CODES, "fn main", "src/main")), record["spans"]
    segments = [json.loads(line) for line in out.segments.splitlines()]
    assert {s["lang"] for s in segments if s["text"] != "cargo build --release"} == {"pt"}
    # the English words on either side of the code are spans of their own, cut at it
    spans = [(s["text"][span["start"]:span["end"]], span["text"], span["lang"])
             for s in segments for span in s["spans"]]
    assert spans == [("the quick brown fox jumps over", "the quick brown fox jumps over", "en"),
                     ("the lazy dog", "the lazy dog", "en")]


def test_code_goes_through_translation_as_one_protected_span_restored_byte_for_byte(
        tmp_path):
    out, engine = process(tmp_path)
    asked = "\n".join(engine.inputs)
    assert not any(code in asked for code in (*CODES, "struct", "cargo build")), asked
    assert "Os ZZB s e os ZZC s do programa ficam no ficheiro ZZD." in engine.inputs
    assert out.files["translations/en/guia.html.txt"] == TRANSLATED
    (alone,) = [json.loads(line) for line in out.segments.splitlines()
                if json.loads(line)["text"] == "cargo build --release"]
    assert (alone["lang"], alone["en"], alone["flags"]) == ("und", "cargo build --release", {})


def test_segments_and_parallel_corpora_show_what_the_copies_show(tmp_path):
    out, _ = process(tmp_path)
    records = [json.loads(line) for line in out.segments.splitlines()]
    by_text = {r["text"]: r["en"] for r in records}
    assert by_text["Depois, abra o ficheiro src/main.rs ."] == (
        "DEPOIS, ABRA O FICHEIRO src/main.rs .")
    assert by_text["O tipo Option e a função main"] == "O TIPO Option E A FUNÇÃO main"
    assert not any("\U00100000" <= char for r in records for char in r["text"] + r["en"])
    write_parallel(tmp_path / "out", [Document.from_json(out.document)], ["en"])
    folder = tmp_path / "out" / "parallel" / "pt-en"
    source = (folder / "corpus.pt").read_text(encoding="utf-8")
    target = (folder / "corpus.en").read_text(encoding="utf-8")
    assert "execute o comando pip install requests no terminal" in source
    assert "EXECUTE O COMANDO pip install requests NO TERMINAL" in target
    assert "PRIMA Ctrl+C; A SAÍDA erro: ficheiro em falta INDICA" in target
    tsv = (folder / "corpus.tsv").read_text(encoding="utf-8")
    assert "A REGRA norte -coreana FICA COMO ESTÁ, TAL COMO e -mail NO PROGRAMA." in tsv


def test_a_placeholder_the_model_lost_is_flagged_and_its_code_missing_as_in_markdown(
        tmp_path):
    out, _ = process(tmp_path, engine=Engine(lose=True))
    records = {json.loads(line)["text"]: json.loads(line) for line in out.segments.splitlines()}
    flagged = records["Para instalar o pacote, execute o comando pip install requests no "
                      "terminal e aguarde alguns segundos."]
    assert flagged["flags"] == {"en": ["protected_missing"]}
    assert flagged["en"] == ("PARA INSTALAR O PACOTE, EXECUTE O COMANDO NO TERMINAL E "
                             "AGUARDE ALGUNS SEGUNDOS.")
    plain = records["O tamanho de n define quantos elementos o vetor guarda na memória do "
                    "programa."]
    assert "protected_missing" not in plain["flags"]["en"]  # it had no code
    assert "pip install" not in out.files["translations/en/guia.html.txt"]


def test_a_paragraph_wrapped_in_the_source_reads_as_the_browser_shows_it(tmp_path):
    # pages wrap their source lines (zlib's, Sphinx's); a browser shows each paragraph as
    # one flowing line, as the extractor gives one without code; one holding code kept
    # the source's line breaks, so its sentences were cut there ("From" / "stdio.h we
    # use ...") and a code over a line break was not protected
    page = PAGE.replace("comando <code>pip install requests</code> no terminal e", "comando\n"
                        "<code>pip\n  install requests</code>\nno terminal e").replace(
        "e <tt>make all</tt> volta", "e\n<tt>make all</tt>\nvolta")
    out, engine = process(tmp_path, page)
    assert out.files["clean/guia.html.txt"] == CLEAN
    assert out.files["translations/en/guia.html.txt"] == TRANSLATED
    asked = "\n".join(engine.inputs)
    assert "pip" not in asked and "make all" not in asked


def test_the_extractor_says_where_each_blocks_inline_code_is():
    from pipeline.extract_html import extract

    page = PAGE.replace("</article>", "<ul><li>Use <code>cargo  build</code> antes.</li></ul>"
                        "<table><tr><td><kbd>Esc</kbd> sai</td><td>nada</td></tr></table>"
                        "<pre><code>fn main() {}</code></pre></article>")
    found = extract(page.encode("utf-8"))
    codes = [[block[start:end] for start, end in ranges]
             for block, ranges in zip(found.blocks, found.inline, strict=True)]
    assert codes == [[], ["pip install requests"], ["src/main.rs", "--force"],
                     ["Ctrl", "C", "erro: ficheiro em falta", "make all"],
                     ["norte -coreana", "e -mail"], ["Option", "main"], [],
                     ["struct", "enum", "src/main.rs"], ["cargo build --release"],
                     ["cargo build"], ["Esc"]]
    assert found.code == [(11, "fn main() {}")]


def test_the_audit_trail_quotes_code_never_its_stand_in():
    from pipeline.readers.html import PageCode, PutInlineCode

    pip, rs = "\U00100000", "\U00100001"
    code = PageCode()
    code.inline = {pip: "pip install x", rs: "a.rs"}
    seg = Segment("g.html#1.1", f"Rode {pip} e the lazy {rs} dog, fim ok.")
    doc = Document("g.html", text=f"Rode {pip} e the lazy {rs} dog, fim ok.\n",
                   blocks=[Block("paragraph", seg.text, segments=[seg])],
                   metadata={"comando": f"{rs}"},
                   removed=[Removed(f"Copiar {pip}", "ui string: en")],
                   spans=[Span(f"the lazy {rs} dog", "en", 9, 23, seg.id),
                          Span("ok", "en", 29, 31, seg.id)],
                   fixes=[Fix("repair", "x", f"{rs} ,", f"{rs},")])
    doc = PutInlineCode(code).process(doc)
    assert seg.text == doc.blocks[0].text == "Rode pip install x e the lazy a.rs dog, fim ok."
    assert doc.protected == {seg.id: [[5, 18], [30, 34]]}
    # the span holding code goes; the one after it moves with the text
    assert [(s.text, s.start, s.end) for s in doc.spans] == [("ok", 44, 46)]
    assert seg.text[44:46] == "ok"
    assert doc.removed[0].text == "Copiar pip install x"
    assert (doc.fixes[0].before, doc.fixes[0].after) == ("a.rs ,", "a.rs,")
    assert doc.metadata == {"comando": "a.rs"} and "\U00100000" not in doc.text


def test_a_run_with_a_genuine_package_sends_and_remembers_placeholders_not_code(
        tmp_path, pt_en_models):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "guia.html").write_text(PAGE, encoding="utf-8")
    assert main(["run", str(corpus), "--out", str(out), "--to", "en"]) == 0
    assert (out / "clean" / "guia.html.txt").read_text(encoding="utf-8") == CLEAN
    with sqlite3.connect(out / ".pipeline" / "memory.sqlite") as db:
        sources = [row[0] for row in db.execute("SELECT source FROM entries")]
    assert any("ZZB" in source for source in sources)
    assert not any(code in source for source in sources for code in CODES), sources
    # a second run changes nothing
    assert main(["run", str(corpus), "--out", str(out), "--to", "en"]) == 0
    assert (out / "clean" / "guia.html.txt").read_text(encoding="utf-8") == CLEAN
