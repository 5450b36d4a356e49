"""Markdown files (.md): the stages see the text only, the copies are Markdown again.

The fixtures are written here: a Portuguese article in Markdown with the leftovers the
seed article has (a doubled headline, a split compound, a German word in a list item,
widget lines), and the markup a user writes (front matter, emphasis, a link, an image,
inline and fenced code, a quote, a table).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.document import Document
from pipeline.readers.text import TextReader
from pipeline.shard import DocumentOutput, ShardProcessor
from pipeline.writers.parallel import write_parallel

ARTICLE = """\
---
title: Coreia do Norte
---

# Coreia do Norte e Rússia: a nova aliança

# Coreia do Norte e Rússia: a nova aliança

A agência oficial de notícias norte -coreana KCNA informou que **Kim** enfatizou a \
importância do [contrato de defesa](https://exemplo.org/contrato) ratificado ontem.

- O encontro ocorreu na capital, e a Nordkorea enviou uma delegação de ministros.
- Teilen
- Use `pip install pipeline` para instalar o programa de análise.

> Uma citação longa sobre a cooperação militar entre os dois países vizinhos.

![Mapa da região de Kursk](img/mapa.png)

| País | Capital |
| --- | --- |
| Coreia do Norte | Pyongyang |

```python
print("Details")  # código  com  espaços
```

Kommentare (0)
"""

# What the cleanup makes of it: the doubled headline, the widget list item and the
# counter line go, the split compound is rejoined; every marker keeps its bytes.
CLEAN = """\
---
title: Coreia do Norte
---

# Coreia do Norte e Rússia: a nova aliança

A agência oficial de notícias norte-coreana KCNA informou que **Kim** enfatizou a \
importância do [contrato de defesa](https://exemplo.org/contrato) ratificado ontem.

- O encontro ocorreu na capital, e a Nordkorea enviou uma delegação de ministros.
- Use `pip install pipeline` para instalar o programa de análise.

> Uma citação longa sobre a cooperação militar entre os dois países vizinhos.

![Mapa da região de Kursk](img/mapa.png)

| País | Capital |
| --- | --- |
| Coreia do Norte | Pyongyang |

```python
print("Details")  # código  com  espaços
```
"""

# Markdown markers (and link targets, code) that must never stand in a segment, a
# translation of one, or the parallel corpora.
MARKERS = re.compile(r"\*\*|`|\]\(|!\[|^#|^- |^> |\||https?://|img/|print\(")


class Engine:
    """Translates by upper-casing (placeholders, already capitals, pass unchanged)."""

    def __init__(self, pairs: set[tuple[str, str]]):
        self.pairs = pairs
        self.inputs: list[str] = []

    def route(self, src: str, tgt: str):
        return [] if src == tgt else ([f"{src}-{tgt}"] if (src, tgt) in self.pairs else None)

    def translate(self, texts, src: str, tgt: str) -> list[str]:
        self.inputs += texts
        return [text.upper() for text in texts]

    def model_id(self, src: str, tgt: str) -> str:
        return f"upper {src}-{tgt}"


def run(tmp_path: Path, text: str, leftovers: str = "keep",
        pairs=frozenset({("pt", "en")})) -> tuple[DocumentOutput, Engine]:
    """The article read as the corpus's reader reads a .md file, through every stage."""
    path = tmp_path / "artigo.md"
    path.write_text(text, encoding="utf-8")
    items = list(TextReader().items("artigo.md", path, path.read_bytes))
    config = Config(targets=["en"])
    config.repair.leftovers = leftovers
    engine = Engine(set(pairs))
    result = ShardProcessor(config, engine=engine)(items)
    (out,) = result.docs
    assert out.status == "ok", out.errors
    return out, engine


def test_the_clean_copy_is_the_markdown_file_cleaned(tmp_path):
    out, _ = run(tmp_path, ARTICLE)
    assert out.files["clean/artigo.md"] == CLEAN
    kinds = [(s.kind, s.text) for s in Document.from_json(out.document).blocks]
    assert ("title", "Coreia do Norte e Rússia: a nova aliança") in kinds
    assert ("table_cell", "Pyongyang") in kinds
    assert ("list_item", "Use pip install pipeline para instalar o programa de análise.") \
        in kinds


def test_an_unchanged_markdown_file_comes_out_byte_for_byte(tmp_path):
    out, _ = run(tmp_path, CLEAN)
    assert out.files["clean/artigo.md"] == CLEAN


def test_no_marker_in_segments_translations_or_the_parallel_corpora(tmp_path):
    out, _ = run(tmp_path, ARTICLE)
    doc = Document.from_json(out.document)
    texts = [s.text for s in doc.segments()] + [s.translations["en"] for s in doc.segments()]
    assert "A agência oficial de notícias norte-coreana KCNA informou que Kim enfatizou a " \
        "importância do contrato de defesa ratificado ontem." in texts
    assert "Mapa da região de Kursk" in texts
    assert [t for t in texts if MARKERS.search(t)] == []
    assert '"text":"title: Coreia do Norte"' not in out.segments
    write_parallel(tmp_path / "out", [doc], ["en"])
    written = sorted((tmp_path / "out" / "parallel" / "pt-en").iterdir())
    assert [p.name for p in written] == ["corpus.en", "corpus.pt", "corpus.tmx", "corpus.tsv"]
    for name in ("corpus.en", "corpus.pt"):
        lines = (tmp_path / "out" / "parallel" / "pt-en" / name).read_text().splitlines()
        assert lines and [line for line in lines if MARKERS.search(line)] == []


def test_code_and_urls_are_never_translated_and_the_copy_keeps_them(tmp_path):
    out, engine = run(tmp_path, ARTICLE)
    sent = "\n".join(engine.inputs)
    assert "pip install" not in sent and "exemplo.org" not in sent and "print" not in sent
    assert "img/" not in sent and "title:" not in sent
    translated = out.files["translations/en/artigo.md"]
    # the structure and every marker, around the translated text
    assert translated.startswith("---\ntitle: Coreia do Norte\n---\n\n# COREIA DO NORTE E ")
    assert "QUE **KIM** ENFATIZOU A IMPORTÂNCIA DO [CONTRATO DE DEFESA](https://exemplo.org/" \
        "contrato) RATIFICADO ONTEM." in translated
    assert "\n- USE `pip install pipeline` PARA INSTALAR O PROGRAMA DE ANÁLISE.\n" in translated
    assert "\n> UMA CITAÇÃO LONGA" in translated
    assert "\n![MAPA DA REGIÃO DE KURSK](img/mapa.png)\n" in translated
    assert "\n| COREIA DO NORTE | PYONGYANG |\n" in translated
    assert '```python\nprint("Details")  # código  com  espaços\n```\n' in translated
    # the segment's own translation is plain (the inline code's text kept as it is)
    doc = Document.from_json(out.document)
    assert "USE pip install pipeline PARA INSTALAR O PROGRAMA DE ANÁLISE." in [
        s.translations["en"] for s in doc.segments()]


def test_a_german_leftover_inside_a_list_item_is_still_handled(tmp_path):
    out, _ = run(tmp_path, ARTICLE)
    doc = Document.from_json(out.document)
    assert [(s.text, s.lang) for s in doc.spans] == [("Nordkorea", "de")]
    item = next(s for s in doc.segments() if s.id == doc.spans[0].segment)
    assert item.text.startswith("O encontro ocorreu na capital, e a Nordkorea")
    # replaced by its translation where a model has the pair; the item keeps its marker
    out, _ = run(tmp_path, ARTICLE, "translate", {("pt", "en"), ("de", "pt")})
    assert "\n- O encontro ocorreu na capital, e a NORDKOREA enviou uma delegação" in (
        out.files["clean/artigo.md"])
    assert any(f["kind"] == "foreign_leftover" for f in _fixes(out))


def test_inline_code_is_hidden_from_the_cleanup_and_detection(tmp_path):
    text = ("# Notas\n\nO comando `git commit --amend` corrige a última versão do "
            "projeto sem perder nada.\n")
    out, engine = run(tmp_path, text)
    doc = Document.from_json(out.document)
    assert doc.spans == []  # "git commit" is no English leftover
    assert out.files["clean/artigo.md"] == text
    assert "`git commit --amend`" in out.files["translations/en/artigo.md"]
    assert not any("git" in t for t in engine.inputs)


def test_a_foreign_span_is_cut_at_inline_code_and_points_at_its_own_words(tmp_path):
    # A German span around `make test` quoted the code's stand-in (U+E000) in
    # documents.jsonl and segments.jsonl, and a span after a second code pointed
    # at the wrong characters: its offsets were moved by the first code's length
    # twice.
    text = ("# Notícias\n\nO ministro disse que o sistema `run --force` funciona muito bem, "
            "und die Regierung hat `make test` heute angekündigt, que tudo estava pronto "
            "para a votação final.\n")
    out, _ = run(tmp_path, text)
    (paragraph,) = [json.loads(line) for line in out.segments.splitlines()
                    if json.loads(line)["kind"] == "paragraph"]
    spans = [(paragraph["text"][s["start"]:s["end"]], s["text"], s["lang"])
             for s in paragraph["spans"]]
    assert spans == [("und die Regierung hat", "und die Regierung hat", "de"),
                     ("heute angekündigt", "heute angekündigt", "de")]
    assert "\ue000" not in out.record + out.segments


def test_a_lost_placeholder_drops_the_markers_of_that_segment_only(tmp_path):
    class Loses(Engine):
        def translate(self, texts, src, tgt):
            return [re.sub(r"ZZC", "", t.upper()) for t in texts]

    path = tmp_path / "a.md"
    path.write_text("Um texto com **ênfase** no meio da frase e mais palavras aqui.\n\n"
                    "![Mapa da região de Kursk](img/mapa.png)\n\n"
                    "Uma frase com `código` e **outra ênfase** no fim do texto.\n")
    items = list(TextReader().items("a.md", path, path.read_bytes))
    result = ShardProcessor(Config(targets=["en"]), engine=Loses({("pt", "en")}))(items)
    assert result.docs[0].files["translations/en/a.md"] == (
        "UM TEXTO COM ÊNFASE NO MEIO DA FRASE E MAIS PALAVRAS AQUI.\n\n"
        "![MAPA DA REGIÃO DE KURSK](img/mapa.png)\n\n"  # around the whole segment: kept
        "UMA FRASE COM `código` E OUTRA ÊNFASE NO FIM DO TEXTO.\n")  # code kept


def _fixes(out: DocumentOutput) -> list[dict]:
    import json

    return json.loads(out.record)["fixes"]


# Markdown that needs no cleanup: the clean copy is the file, byte for byte, and the
# segments hold none of its markers.
UNCHANGED = {
    "nested lists": "# Título do artigo de hoje\n\n1. Primeiro item da lista numerada.\n"
                    "   - Subitem com **negrito** e _itálico_ no meio.\n"
                    "   - Outro subitem da lista.\n2. Segundo item da lista numerada.\n",
    "lazy quote": "> Uma citação que continua\nnuma linha sem o marcador de citação.\n>\n"
                  "> > Citação aninhada com mais texto dentro.\n",
    "setext": "Título em estilo setext\n=======================\n\n"
              "Parágrafo com texto normal depois do título.\n",
    "references": "Veja [o relatório][rel] e também [outro texto] hoje.\n\n"
                  "[rel]: https://exemplo.org/rel \"Título\"\n[outro texto]: <https://exemplo.org/o>\n",
    "html": "<div align=\"center\">\n<img src=\"x.png\">\n</div>\n\n"
            "Texto com <b>negrito em HTML</b> e uma quebra<br>de linha.\n",
    "closing hashes": "## Título com fechamento ##\n\nParágrafo de texto com palavras.\n",
    "hard breaks": "Linha com quebra dura  \nseguida de outra linha\\\ne mais uma.\n",
    "escapes and entities": "Texto com \\*asteriscos\\*, Tom &amp; Jerry &copy; 2024 e "
                            "&lt;b&gt; como texto.\n",
    "autolinks": "Escreva para <ana@exemplo.org> ou veja <https://exemplo.org/a?b=1>.\n",
    "link in emphasis": "**[Leia o relatório completo](https://x.org/r)** sobre o assunto.\n",
    "task list": "- [ ] tarefa por fazer ainda\n- [x] tarefa feita ontem à noite\n",
    "thematic break": "Texto antes da linha.\n\n---\n\n***\n\nTexto depois da linha.\n",
    "strikethrough": "Um ~~texto riscado~~ e um texto normal aqui.\n",
}
MARKUP = re.compile(r"\*\*|~~|`|\]\(|\]\[|!\[|</b>|<br>|^#+ |^[-*>] |^[=-]+$|<https?:|<\w+@"
                    r"|\\\*|&amp;|\[ \]|\[x\]")


@pytest.mark.parametrize("name", sorted(UNCHANGED))
def test_markdown_that_needs_no_cleanup_comes_out_as_it_went_in(tmp_path, name):
    out, _ = run(tmp_path, UNCHANGED[name])
    assert out.files["clean/artigo.md"] == UNCHANGED[name]
    doc = Document.from_json(out.document)
    texts = [s.text for s in doc.segments()]
    assert texts and [t for t in texts if MARKUP.search(t)] == []


@pytest.mark.parametrize("text", [
    '```python\nprint("olá")\n```\n',            # code only
    "---\ntitle: Olá\n---\n\n---\n",             # front matter and a thematic break
])
def test_a_file_of_markup_without_text_is_copied_as_it_is(tmp_path, text):
    # Such a file was quarantined as "no text left after cleanup ... (only what cleanup
    # removes: invisible characters, interface lines)": its code was in no copy.
    out, engine = run(tmp_path, text)
    assert out.files["clean/artigo.md"] == text
    assert out.files["translations/en/artigo.md"] == text
    assert Document.from_json(out.document).lang == "und" and engine.inputs == []


def _diff_section(tmp_path: Path, text: str) -> str:
    from pipeline.writers.review.docpage import render_document

    out, _ = run(tmp_path, text)
    page = render_document(Document.from_json(out.document), ["en"], text.encode(), "d")
    return page.split("<h3>Diff: source against clean copy</h3>", 1)[1].split("<h3>", 1)[0]


def test_the_review_diff_compares_the_source_with_the_markdown_copy_written(tmp_path):
    # It compared the source with the text the stages read (markers gone), and showed
    # every "**", "](...)", "| ... |" and code line as changed in a copy that keeps them.
    assert "No difference." in _diff_section(tmp_path, CLEAN)
    diff = _diff_section(tmp_path, ARTICLE)
    assert "Teilen" in diff and "Kommentare (0)" in diff  # what the copy lost
    assert "norte<del>·</del>-coreana KCNA informou que **Kim** enfatizou" in diff
    for kept in ("| Coreia do Norte | Pyongyang |", "print(", "<del>**</del>", "<del>#"):
        assert kept not in diff


# A file hard-wrapped at about 60 columns: a paragraph, a list item whose continuation
# lines are indented, a quote, emphasis and a link across a line break.
WRAPPED = """\
# Relatório anual da cooperação

A agência oficial de notícias do país informou ontem que
o **acordo de cooperação militar** foi ratificado pelos dois
parlamentos depois de [uma longa negociação
entre as partes](https://exemplo.org/acordo) durante o ano.

- O encontro ocorreu na capital do país vizinho, e uma
  delegação de ministros acompanhou o presidente durante
  toda a visita oficial.

> Uma citação longa sobre a cooperação militar entre os
> dois países vizinhos, escrita em várias linhas curtas.
"""


def test_an_unchanged_hard_wrapped_file_keeps_its_line_breaks(tmp_path):
    # The repair stage unwraps a paragraph for the segmenter; the copy was written as
    # one long line per paragraph (the whole file in the diff, though nothing changed).
    out, _ = run(tmp_path, WRAPPED)
    assert out.files["clean/artigo.md"] == WRAPPED
    texts = [s.text for s in Document.from_json(out.document).segments()]
    assert "A agência oficial de notícias do país informou ontem que o acordo de " \
        "cooperação militar foi ratificado pelos dois parlamentos depois de uma longa " \
        "negociação entre as partes durante o ano." in texts  # the joined paragraph


def test_a_line_the_cleanup_changed_is_joined_the_others_keep_their_breaks(tmp_path):
    text = WRAPPED.replace("do país informou", "norte -coreana informou").replace(
        "longa negociação\n", "longa nego-\nciação ")
    out, _ = run(tmp_path, text)
    assert out.files["clean/artigo.md"] == WRAPPED.replace(
        "do país informou", "norte-coreana informou").replace(
        "longa negociação\n", "longa negociação ")  # the break the hyphen stood at: gone
    # a translated copy is reflowed: one line a paragraph, its markers around the text
    translated = out.files["translations/en/artigo.md"]
    assert "\n- O ENCONTRO OCORREU NA CAPITAL DO PAÍS VIZINHO, E UMA DELEGAÇÃO DE " \
        "MINISTROS ACOMPANHOU O PRESIDENTE DURANTE TODA A VISITA OFICIAL.\n" in translated
    assert "\n> UMA CITAÇÃO LONGA SOBRE A COOPERAÇÃO MILITAR ENTRE OS DOIS PAÍSES " \
        "VIZINHOS, ESCRITA EM VÁRIAS LINHAS CURTAS.\n" in translated


# The shape of API documentation and changelogs: the same headings and list items under
# every section, and short names in another language ("io.js").
REPEATED = """\
# Referência da biblioteca de rede

## Classe: Socket

O objeto representa uma ligação de rede aberta pelo programa cliente.

### Evento: fechar

- Devolve: {número}
- Tipo: {texto}

## Classe: Servidor

O objeto representa um servidor que aceita ligações de muitos clientes.

### Evento: fechar

- Devolve: {número}
- Tipo: {texto}

## Classe: Agente

O objeto guarda as ligações abertas para as usar de novo mais tarde.

### Evento: fechar

- Devolve: {número}
- Tipo: {texto}

### Notable changes

- io.js
"""


def test_repeated_headings_and_list_items_of_a_markdown_file_are_kept(tmp_path):
    # The boilerplate stage's guesses from shape, repetition and language removed them
    # as interface lines ("ui string: repeated", "ui string: foreign"): a Node.js API
    # page lost 400 headings and "Returns:" items, a changelog its "Commits" headings.
    out, _ = run(tmp_path, REPEATED)
    assert out.files["clean/artigo.md"] == REPEATED
    assert json.loads(out.record)["removed"] == []
    # the same lines in a text file are still judged as interface lines
    path = tmp_path / "artigo.txt"
    path.write_text(REPEATED.replace("#", "").replace("- ", ""), encoding="utf-8")
    items = list(TextReader().items("artigo.txt", path, path.read_bytes))
    (txt,) = ShardProcessor(Config(targets=["en"]), engine=Engine(set()))(items).docs
    assert "ui string: repeated" in {r["reason"] for r in json.loads(txt.record)["removed"]}


def test_blocks_that_differ_only_in_their_inline_code_are_no_duplicates(tmp_path):
    # Inline code is one stand-in for the stages: the repair stage removed the second of
    # these as a "duplicate paragraph" (184 blocks of the Node.js API pages).
    text = ("# Opções da ligação de rede\n\n"
            "- `options.host` {texto} O valor por omissão da ligação.\n"
            "- `options.port` {texto} O valor por omissão da ligação.\n\n"
            "Veja `net.connect()` no módulo de rede.\n\nVeja `tls.connect()` no módulo de rede.\n")
    out, _ = run(tmp_path, text)
    assert out.files["clean/artigo.md"] == text
    # a true duplicate without code still goes
    doubled = text + "\nUm parágrafo repetido sem código.\n\nUm parágrafo repetido sem código.\n"
    out, _ = run(tmp_path, doubled)
    assert out.files["clean/artigo.md"] == text + "\nUm parágrafo repetido sem código.\n"


# Inline code that goes on over a line break of a hard-wrapped paragraph, and of a
# block whose short lines are not unwrapped.
CODE_OVER_A_BREAK = """\
# Manutenção dos dados de fuso horário

Para aplicar a correção ao ficheiro de dados, use o comando `for i in
zoneinfo64.res; do icupkg -a $i icudt.dat` na pasta certa do projeto.

Rua das Flores, 12 `git
log -a` hoje
"""


def test_inline_code_over_a_line_break_is_code(tmp_path):
    # Its backticks were read as text: the code was cleaned ("icupkg -a" became
    # "icupkg-a" in a Node.js page) and sent to translation.
    out, engine = run(tmp_path, CODE_OVER_A_BREAK)
    assert out.files["clean/artigo.md"] == CODE_OVER_A_BREAK
    sent = "\n".join(engine.inputs)
    assert "icupkg" not in sent and "zoneinfo" not in sent and "git" not in sent
    translated = out.files["translations/en/artigo.md"]
    assert "`for i in zoneinfo64.res; do icupkg -a $i icudt.dat` NA PASTA" in translated
    doc = Document.from_json(out.document)
    assert any("for i in zoneinfo64.res; do icupkg -a $i icudt.dat na pasta" in s.text
               for s in doc.segments())  # the break reads as a space, as it renders


@pytest.mark.parametrize("text", [
    "# Título do texto\n\nUm parágrafo sem quebra de linha no fim do ficheiro.",
    "# Título do texto\n\nUm parágrafo e uma linha em branco no fim.\n\n",
    "\n# Título do texto\n\nUm parágrafo depois de uma linha em branco no início.\n",
    "# Título do texto\n\nUm parágrafo antes do código.\n\n```\ncódigo sem quebra no fim\n```",
])
def test_a_files_ends_are_kept_byte_for_byte(tmp_path, text):
    # The copy always ended with one line break: 19 of the 282 files on this machine
    # (LICENSE.md, READMEs) came out changed although the cleanup changed nothing.
    out, _ = run(tmp_path, text)
    assert out.files["clean/artigo.md"] == text
    translated = out.files["translations/en/artigo.md"]
    assert len(translated) - len(translated.rstrip("\n")) == len(text) - len(text.rstrip("\n"))


# Pathological Markdown: its inline rules must stay linear in the input's size.
PATHOLOGICAL = {
    "unmatched * and _": lambda n: "x " + "*a " * n + "b_ " * n,
    "unclosed links": lambda n: "x " + "[a](" * n,
    "unclosed brackets": lambda n: "x " + "[" * n + "]" * n,
    "images then links": lambda n: "x " + "![" * n + "[a](b) " * n,
    "backtick runs": lambda n: "x ` " + "``a" * n,
    "unmatched backticks": lambda n: "x " + "`b " * n,
    "a long line": lambda n: "palavra " * n,
    "a long table": lambda n: "| a | b |\n| --- | --- |\n" + "| célula *a | b_ [c |\n" * n,
    "nested lists": lambda n: "".join("  " * k + "- item\n" for k in range(n // 10)),
    "nested quotes": lambda n: ">" * n + " texto\n",
    "unclosed comments": lambda n: "x " + "<!--a " * n + " <b>" * n,
}


def _lines_run(function, *args) -> int:
    """How many lines of this module's code ``function(*args)`` runs: a measure of its
    work that no machine load changes."""
    import sys

    from pipeline.readers import markdown

    count = 0

    def trace(frame, event, arg):
        nonlocal count
        if frame.f_code.co_filename != markdown.__file__:
            return None
        count += event == "line"
        return trace

    sys.settrace(trace)
    try:
        function(*args)
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_markdown_takes_work_linear_in_its_size(name):
    # A closer looked through every opener, an unclosed "(" was followed to the end of
    # the paragraph, a "]" read its whole label: 8,000 "*a b_" took 4.8 s (17 times
    # 2,000's) and 8,000 "[a](" 10.6 s.
    from pipeline.readers.markdown import parse

    small, large = (_lines_run(parse, PATHOLOGICAL[name](n)) for n in (500, 2000))
    assert large < 4.6 * small, (small, large)


def test_a_line_inside_a_markdown_paragraph_is_never_judged_alone(tmp_path):
    # The boilerplate stage removed the middle line of a hard-wrapped paragraph that
    # read like a label ("SourceMap, based on ..." as "metadata: source" in a Node.js
    # page): words lost inside a sentence, its emphasis markers left side by side.
    text = ("# Relatório anual\n\n"
            "O relatório publicado ontem pela agência oficial de notícias diz que a\n"
            "Fonte: um relatório _interno_ do ministério da defesa nacional\n"
            "confirmou os números da cooperação militar entre os dois países.\n")
    out, _ = run(tmp_path, text)
    assert out.files["clean/artigo.md"] == text
    assert json.loads(out.record)["removed"] == []


def test_a_name_that_starts_with_a_label_is_no_label_glued_to_its_value(tmp_path):
    # "LabelValue" ("OrtPyongyang") is how text taken from HTML glues a label to its
    # value; in a Markdown file "### SourceForge" and "- LocalStorage / SessionStorage"
    # are names, and went as "metadata: source" and "metadata: location".
    text = ("# Onde encontrar o programa\n\n## SourceForge\n\n"
            "Os pacotes antigos ficam no servidor de arquivos do projeto.\n\n"
            "- LocalStorage / SessionStorage\n- Cookies de sessão do navegador\n")
    out, _ = run(tmp_path, text)
    assert out.files["clean/artigo.md"] == text


def test_spaces_on_both_sides_of_inline_html_are_kept(tmp_path):
    # The stages read two spaces where a tag stood between them, or a space at the end,
    # and the cleanup took one: "where <type> is" came out "where <type>is", "Section
    # 6.1) <span ...></span>" as "6.1)<span ...></span>".
    text = ("# Notas sobre a instalação\n\n"
            "Os ficheiros ficam na pasta do utilizador onde <tipo> é o nome do pacote.\n\n"
            "- O grupo antigo da norma continua disponível, secção 6.1 "
            "<span class=\"obsoleto\"></span>\n"
            "- <strong>Não use este modo com dados sensíveis. </strong>\n")
    out, _ = run(tmp_path, text)
    assert out.files["clean/artigo.md"] == text
    texts = [s.text for s in Document.from_json(out.document).segments()]
    assert "Os ficheiros ficam na pasta do utilizador onde é o nome do pacote." in texts


def test_blocks_with_code_between_them_are_no_duplicates(tmp_path):
    # A heading of code alone is no block: the same sentence under two API entries read
    # as a doubled paragraph ("An import attribute is not supported by this version of
    # Node.js." under two "### `ERR_...`" in errors.md).
    text = ("# Códigos de erro do programa\n\n### `ERR_IMPORT_A`\n\n"
            "Este atributo não é aceite por esta versão do programa.\n\n### `ERR_IMPORT_B`\n\n"
            "Este atributo não é aceite por esta versão do programa.\n\n```js\nx()\n```\n\n"
            "Uma frase igual dos dois lados do código.\n\n```js\ny()\n```\n\n"
            "Uma frase igual dos dois lados do código.\n")
    out, _ = run(tmp_path, text)
    assert out.files["clean/artigo.md"] == text
