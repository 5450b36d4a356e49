"""The overview: what needs the reviewer's eyes, the totals, the index, the flags.

Totals come from the report dict (report.json less its timings, so that the page
is the same for the same run) and from the documents' index entries
(:func:`pipeline.writers.review.docpage.index_entry`): statuses, flags per pair
and kind. Every number a picture reads faster is drawn as a bar beside it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from pipeline.log import counted
from pipeline.readers import FOLDER_LINK
from pipeline.writers.review.assets import bar
from pipeline.writers.review.text import esc, esc_name, needs_escape

INDEX_PAGE = 100  # rows of the index on one screen (the script pages through the rest)
EYES_LIST = 20  # failed or quarantined documents named in "what needs your eyes"
FLAG_ROWS = 10_000  # flagged segments listed (all pairs together)
# Rows of the quarantined files' and failed documents' tables: 20,000 pages of saved
# documentation held 6,732 redirects, whose rows came before the totals and the index
EYES_ROWS = 1_000

# The index's columns, as the script reads them (``d.col``).
COLUMNS = ("doc", "href", "lang", "status", "fixes", "spans", "flags", "segments", "kinds",
           "flagkeys", "title")
NUMERIC = ("fixes", "spans", "flags", "segments")


def index_row(entry: dict[str, Any], deleted: bool) -> list[Any]:
    """An entry as a row of the index's data (:data:`COLUMNS`)."""
    flags = entry["flags"]
    keys = sorted({*flags, *(k.split(":")[0] for k in flags)})
    return [entry["doc"], entry["href"], entry["lang"], "deleted" if deleted else entry["status"],
            entry["fixes"], entry["spans"], sum(flags.values()), entry["segments"],
            " ".join(entry["kinds"]), " ".join(keys), entry["title"]]


def _sentence(report: dict[str, Any], statuses: Counter[str], fixes: int) -> str:
    """The lead sentence; ``fixes`` as the index's rows count them (the removed lines,
    counted apart, left out)."""
    docs = report.get("documents", sum(statuses.values()))
    parts = [f"<b>{docs:,}</b> {'document' if docs == 1 else 'documents'} in the corpus"]
    kinds = ", ".join(f"{n:,} {esc(s)}" for s, n in sorted(statuses.items()))
    if kinds:
        parts.append(f"stored outputs: {kinds}")
    run = [f"{report[k]:,} {label}" for k, label in (
        ("processed", "processed"), ("unchanged", "unchanged"), ("not_reached", "not reached"))
        if report.get(k)]
    if report.get("deferred"):
        run.append(f"{len(report['deferred']):,} left for the next run (--min-age)")
    if run:
        parts.append("this run: " + ", ".join(run))
    langs = report.get("languages", {})
    targets = report.get("targets", [])
    text = "; ".join(parts) + "."
    text += " " + ", ".join(counted(n, noun, grouped=True) for n, noun in (
        (len(langs), "language"), (report.get("segments", 0), "sentence"), (fixes, "fix"),
        (report.get("removed", 0), "removed line")))
    text += f"; targets: {esc(', '.join(targets))}." if targets else "."
    if report.get("interrupted"):
        text += " <b>The run was stopped before the end</b>: the rest is done by the next run."
    return f'<p class="lead">{text}</p>\n'


def _counts(title: str, counts: dict[str, int], css: str = "", head: str = "") -> str:
    if not counts:
        return f"<div><h3>{esc(title)}</h3><p>None.</p></div>"
    top = max(counts.values())
    rows = "".join(f"<tr><td>{esc(k)}</td><td class=\"n\">{n:,}</td><td>{bar(n, top, css)}"
                   "</td></tr>" for k, n in counts.items())
    return (f"<div><h3>{esc(title)}</h3><table><thead><tr><th>{esc(head or 'kind')}</th>"
            f'<th class="n">count</th><th></th></tr></thead><tbody>{rows}</tbody></table></div>')


def render_overview(report: dict[str, Any], rows: list[list[Any]], flagged: int,
                    flags_href: str, entries_href: dict[str, str]) -> str:
    """The top of the index: needs-your-eyes, totals with bars, missing models."""
    statuses: Counter[str] = Counter(r[3] for r in rows)
    fixes = sum(r[COLUMNS.index("fixes")] for r in rows)
    parts = ["<h1>Pipeline run report</h1>\n", _sentence(report, statuses, fixes)]
    parts.append(_eyes(report, statuses, flagged, flags_href, entries_href))
    parts.append('<section id="totals"><h2>Totals</h2>\n<div class="grid">')
    parts.append(_counts("Languages (documents)", report.get("languages", {}), head="language"))
    parts.append(_counts("Fixes and removed lines by kind", report.get("fixes_by_kind", {})))
    parts.append(_counts("Documents by status", dict(sorted(statuses.items())), head="status"))
    pairs = report.get("translation", {}).get("pairs", {})
    converted = report.get("translation", {}).get("converted", {})  # by a script converter
    parts.append(_counts("Translated sentences by pair",
                         {p + (f" (converted by {converted[p]['by']})" if p in converted
                               else ""): v.get("segments", 0) for p, v in pairs.items()},
                         head="pair"))
    parts.append("</div>\n")
    parts.append(_run_table(report))
    parts.append("</section>\n")
    return "".join(parts)


def flag_totals(entries: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """QA flags per language pair and kind, summed over the documents."""
    totals: dict[str, Counter[str]] = {}
    for entry in entries:
        for key, n in entry["flags"].items():
            pair, kind = key.split(":", 1)
            totals.setdefault(pair, Counter())[kind] += n
    return dict(sorted(totals.items()))


def _eyes(report: dict[str, Any], statuses: Counter[str], flagged: int, flags_href: str,
          hrefs: dict[str, str]) -> str:
    items = []
    failed = report.get("failed", [])
    if failed:
        names = ", ".join(_doc_link(f["doc"], hrefs) for f in failed[:EYES_LIST])
        more = f" and {len(failed) - EYES_LIST:,} more" if len(failed) > EYES_LIST else ""
        items.append(f"<li><b>{len(failed):,} failed</b> (retried by the next run): "
                     f"{names}{more}.</li>")
    if report.get("missing_models"):
        n = len(report["missing_models"])
        items.append(f"<li><b>{n} missing translation model{'s' if n > 1 else ''}</b>: "
                     'see <a href="#models">the commands that install them</a>.</li>')
    if flagged:
        items.append(f"<li><b>{flagged:,} QA flag{'s' if flagged > 1 else ''} on translated "
                     "sentences</b>: "
                     f'<a href="{esc(flags_href)}">list them by language pair</a>.</li>')
    if report.get("quarantined"):
        n = len(report["quarantined"])
        items.append(f"<li><b>{n:,} file{'s' if n > 1 else ''} quarantined</b>: "
                     'see <a href="#quarantined">the reasons</a>.</li>')
    if report.get("deleted"):
        items.append(f"<li>{report['deleted']:,} documents deleted from the corpus, their "
                     "outputs kept (status <i>deleted</i> in the index; "
                     "<code>--prune</code> removes them).</li>")
    if not items:
        items.append("<li>Nothing: no failures, quarantined files, missing models or "
                     "QA flags.</li>")
    parts = ['<section id="eyes"><h2>What needs your eyes</h2>\n<ul class="eyes">',
             "".join(items), "</ul>\n"]
    if report.get("missing_models"):
        rows = "".join(f"<tr><td>{esc(m['pair'])}</td><td><code>{esc(m['install'])}</code>"
                       "</td></tr>" for m in report["missing_models"])
        parts.append('<h3 id="models">Missing translation models</h3>\n<table><thead><tr>'
                     f"<th>pair</th><th>install with</th></tr></thead><tbody>{rows}</tbody>"
                     "</table>\n")
    if report.get("quarantined"):
        quarantined = report["quarantined"]
        rows = "".join(f"<tr><td>{_doc_link(q['doc'], hrefs)}</td><td>{esc(q['reason'])}</td>"
                       "</tr>" for q in quarantined[:EYES_ROWS])
        parts.append('<h3 id="quarantined">Quarantined files</h3>\n<table><thead><tr>'
                     f"<th>file</th><th>reason</th></tr></thead><tbody>{rows}</tbody></table>\n"
                     f"{_rows_note(len(quarantined), 'quarantined files', 'quarantined')}")
    if failed:
        rows = "".join(f"<tr><td>{_doc_link(f['doc'], hrefs)}</td><td>"
                       f"{esc('; '.join(f.get('errors', [])))}</td></tr>"
                       for f in failed[:EYES_ROWS])
        parts.append('<h3 id="failed">Failed documents</h3>\n<table><thead><tr><th>document'
                     f"</th><th>errors</th></tr></thead><tbody>{rows}</tbody></table>\n"
                     f"{_rows_note(len(failed), 'failed documents', 'failed')}")
    parts.append("</section>\n")
    return "".join(parts)


def _rows_note(count: int, what: str, key: str) -> str:
    """The note under a table of :data:`EYES_ROWS` rows that lists ``count`` items.

    >>> _rows_note(1_000, "failed documents", "failed")
    ''
    >>> _rows_note(6_732, "quarantined files", "quarantined")[:60]
    '<p class="note">The table shows the first 1,000 of 6,732 qua'
    """
    if count <= EYES_ROWS:
        return ""
    return (f'<p class="note">The table shows the first {EYES_ROWS:,} of {count:,} {what}; '
            f"<code>report.json</code> lists every one under <code>{key}</code>, and the "
            f"index below shows them with the status filter.</p>\n")


def _doc_link(doc: str, hrefs: dict[str, str]) -> str:
    href = hrefs.get(doc)
    return f'<a href="{esc(href)}">{esc_name(doc)}</a>' if href else esc_name(doc)


def _run_table(report: dict[str, Any]) -> str:
    """What this run found and did, then totals of every stored output (the same after
    a rerun that changes nothing), each under its own heading."""
    rows = []
    skipped = report.get("skipped") or []
    is_link = [isinstance(i, dict) and i.get("suffix") == FOLDER_LINK for i in skipped]
    lists = {"skipped": [i for i, link in zip(skipped, is_link, strict=True) if not link],
             "links": [i for i, link in zip(skipped, is_link, strict=True) if link]}
    for key, label in (("skipped", "skipped files (not documents, or a format the pipeline "
                        "does not read)"),
                       ("links", "folder links (not followed: that folder is read under its "
                        "own name)"),
                       ("deferred", "left for the next run (modified less than --min-age "
                        "ago)"),
                       ("copies_not_rebuilt", "record files whose copies this run did not "
                        "rebuild (changed while read)"),
                       ("deleted_sources", "deleted from the corpus (outputs kept)"),
                       ("pruned_sources", "pruned (outputs removed)")):
        items = lists.get(key, report.get(key)) or []
        if items:
            names = ", ".join(esc(i.get("path") or i.get("doc", "") if isinstance(i, dict)
                                  else str(i)) for i in items[:50])
            more = f" and {len(items) - 50:,} more" if len(items) > 50 else ""
            rows.append(f"<tr><th>{esc(label)}</th><td>{len(items):,}: {names}{more}</td></tr>")
    tr = report.get("translation", {})
    memory = {k: sum(p.get(k, 0) for p in tr.get("pairs", {}).values())
              for k in ("hits", "misses", "translated")}
    converted = sum(p.get("inputs", 0) for p in tr.get("converted", {}).values())
    if any(memory.values()):
        rows.append("<tr><th>this run's translation memory</th><td>"
                    f"{memory['hits']:,} hits, {memory['misses']:,} misses, "
                    f"{memory['translated']:,} sentences translated"
                    + (f", {converted:,} converted" if converted else "") + "</td></tr>")
    stored: list[str] = []
    copied = {t: n for t, n in tr.get("copied", {}).items() if n}
    if copied:
        stored.append("<tr><th>sentences copied (already in the target language, or in no "
                      "language)</th><td>"
                    + esc(", ".join(f"{t}: {n:,}" for t, n in copied.items())) + "</td></tr>")
    par = report.get("parallel_segments") or {}
    if par:
        stored.append("<tr><th>parallel segments (OUT/parallel)</th><td>"
                    + esc(", ".join(f"{p}: {n:,}" for p, n in par.items())) + "</td></tr>")
    config = report.get("config")
    conf = ""
    if config:
        conf = ("<details><summary>Configuration</summary><pre>"
                f"{esc(json.dumps(config, indent=2, ensure_ascii=False))}</pre></details>\n")
    tables = [f"<h3>{title}</h3>\n<table>{''.join(body)}</table>\n"
              for title, body in (("This run", rows), ("Stored outputs", stored)) if body]
    return "".join(tables) + conf


def render_flags_table(entries: list[dict[str, Any]]) -> tuple[str, int]:
    """QA flags by pair and kind (with bars), and the flagged sentences listed under it,
    one table body per pair (``id="pair-<pair>"``); and how many flags there are."""
    totals = flag_totals(entries)
    flagged = sum(sum(c.values()) for c in totals.values())
    if not totals:
        return "<p>No translated sentence has a QA flag.</p>\n", 0
    kinds = sorted({k for c in totals.values() for k in c})
    top = max(sum(c.values()) for c in totals.values())
    head = "".join(f'<th class="n">{esc(k)}</th>' for k in kinds)
    rows = "".join(
        f'<tr><td><a href="#pair-{esc(p)}">{esc(p)}</a></td>'
        + "".join(f'<td class="n">{c.get(k, 0):,}</td>' for k in kinds)
        + f'<td class="n">{sum(c.values()):,}</td><td>{bar(sum(c.values()), top, "flag")}</td>'
        "</tr>" for p, c in totals.items())
    parts = [f"<table><thead><tr><th>pair</th>{head}<th class=\"n\">all</th><th></th></tr>"
             f"</thead><tbody>{rows}</tbody></table>\n"]
    options = "".join(f'<option value="{esc(p)}">{esc(p)}</option>' for p in totals)
    kind_options = "".join(f'<option value="{esc(k)}">{esc(k)}</option>' for k in kinds)
    parts.append(
        '<form class="tools" id="flag-tools" hidden><label>pair <select name="pair">'
        f'<option value="">all</option>{options}</select></label>'
        '<label>flag <select name="kind"><option value="">all</option>'
        f"{kind_options}</select></label><output></output></form>\n")
    listed: dict[str, list[str]] = {p: [] for p in totals}
    count = 0
    for entry in entries:
        for seg_id, pair, flags, text, translation in entry["flagged"]:
            if count >= FLAG_ROWS:
                break
            count += 1
            chips = "".join(f'<span class="flag">{esc(f)}</span>' for f in flags)
            listed.setdefault(pair, []).append(
                f'<tr data-pair="{esc(pair)}" data-flags="{esc(" ".join(flags))}">'
                f'<td><a href="{esc(entry["href"])}">{esc(seg_id)}</a></td><td>{chips}</td>'
                f"<td>{esc(text)}</td><td>{esc(translation)}</td></tr>")
    bodies = "".join(
        f'<tbody id="pair-{esc(p)}"><tr><th colspan="4">{esc(p)}</th></tr>{"".join(r)}</tbody>'
        for p, r in listed.items() if r)
    parts.append('<table class="align" id="flag-table"><colgroup><col><col><col><col>'
                 "</colgroup><thead><tr><th>sentence</th><th>flags</th><th>source</th>"
                 f"<th>translation</th></tr></thead>{bodies}</table>\n")
    listed_all = sum(len(e["flagged"]) for e in entries)
    if listed_all > count or flagged > listed_all:
        parts.append(f'<p class="note">{count:,} flagged sentences are listed (at most '
                     f"{FLAG_ROWS:,}, and 50 per document); segments.jsonl holds every flag."
                     "</p>\n")
    return "".join(parts), flagged


def render_index(rows: list[list[Any]], lists: list[str] | None) -> str:
    """The index of every document: filters and sort (script), the first rows as HTML,
    every row as data; ``lists``: the static pages that list every document."""
    return "".join(index_parts(rows, lists))


DATA_ROWS = 1_000  # rows of the index's data encoded at a time (:func:`index_parts`)


def index_parts(rows: list[list[Any]], lists: list[str] | None) -> Iterator[str]:
    """:func:`render_index`, in parts made as they are asked for: the data of a large
    corpus's rows (about 200 bytes a document) is never one string, so that it is
    written as a stream, not held whole (with its copies) in memory.

    >>> rows = [["a<b.txt", "#d-1", "pt", "ok", 0, 0, 0, 1, "", "", "T"]] * 2500
    >>> parts = list(index_parts(rows, ["list/0001.html", "list/0002.html", "list/0003.html"]))
    >>> max(map(len, parts)) < 150_000, "".join(parts).count('"a\\\\u003cb.txt"')
    (True, 2500)
    """
    def options(values: set[str]) -> str:
        return "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in sorted(values))

    statuses = {r[3] for r in rows}
    langs = {r[2] for r in rows if r[2]}
    # Each distinct value split once (a few among the documents).
    kinds = {k for v in {r[8] for r in rows} for k in v.split()}
    flags = {k for v in {r[9] for r in rows} for k in v.split()}
    parts = [
        '<section id="index"><h2>Documents</h2>\n',
        '<form class="tools" id="index-tools" hidden>'
        '<input type="search" name="q" placeholder="search names and titles" '
        'aria-label="search names and titles">'
        f'<label>status <select name="status"><option value="">all</option>{options(statuses)}'
        "</select></label>"
        f'<label>language <select name="lang"><option value="">all</option>{options(langs)}'
        "</select></label>"
        f'<label>fix <select name="fix"><option value="">all</option>{options(kinds)}'
        "</select></label>"
        '<label>QA flag <select name="flag"><option value="">all</option>'
        f'<option value="*">any flag</option>{options(flags)}</select></label>'
        '<output id="index-count"></output>'
        '<span id="index-page"><button type="button" name="prev">previous</button> '
        '<button type="button" name="next">next</button></span></form>\n',
    ]
    if lists:
        links = " ".join(f'<a href="{esc(href)}">{n}</a>' for n, href in enumerate(lists, 1))
        first = (f" The table below shows the first {INDEX_PAGE}; its filters and sort "
                 "cover them all." if len(rows) > INDEX_PAGE else "")
        parts.append(f"<p>Every document, in pages of the list: {links}.{first}</p>\n")
    parts.append(_index_table(rows[: INDEX_PAGE if lists else len(rows)], "index-body"))
    yield "".join(parts)
    data = {"col": {c: i for i, c in enumerate(COLUMNS)}, "numeric": [COLUMNS.index(c) for c
            in NUMERIC], "page": INDEX_PAGE, "rows": []}
    # The JSON of ``data`` with every row: its rows' part DATA_ROWS at a time (a list's
    # JSON is its items' joined by commas). "<" only occurs inside JSON strings:
    # escaped, nothing in them can end the element.
    start = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    yield ('<script type="application/json" id="index-data">'
           + start[:-2].replace("<", "\\u003c"))
    for n in range(0, len(rows), DATA_ROWS):
        chunk = json.dumps(rows[n:n + DATA_ROWS], ensure_ascii=False, separators=(",", ":"))
        yield ("," if n else "") + chunk[1:-1].replace("<", "\\u003c")
    yield "]}</script>\n</section>\n"


def _index_table(rows: list[list[Any]], body_id: str, prefix: str = "") -> str:
    head = ('<thead><tr><th data-key="doc">document</th><th data-key="lang">language</th>'
            '<th data-key="status">status</th><th class="n" data-key="fixes">fixes</th>'
            '<th class="n" data-key="spans">spans</th><th class="n" data-key="flags">flags</th>'
            '<th class="n" data-key="segments">sentences</th></tr></thead>')
    body = "".join([_index_row(r, prefix) for r in rows])
    return f'<table id="index-table">{head}<tbody id="{body_id}">{body}</tbody></table>\n'


def _index_row(r: list[Any], prefix: str = "") -> str:
    doc, href, lang, status, title = r[0], prefix + r[1], r[2], r[3], r[10]
    if "\n" in doc or "\t" in doc:
        doc = esc_name(doc)
        href, lang, status, title = map(esc, (href, lang, status, title))
    elif needs_escape(f"{doc}{href}{lang}{status}{title}"):  # most rows need none
        doc, href, lang, status, title = map(esc, (doc, href, lang, status, title))
    sub = f'<div class="sub">{title}</div>' if title else ""
    return (f'<tr><td><a href="{href}">{doc}</a>{sub}</td><td>{lang}</td>'
            f'<td><span class="badge {status}">{status}</span></td><td class="n">{r[4]}</td>'
            f'<td class="n">{r[5]}</td><td class="n">{r[6]}</td><td class="n">{r[7]}</td></tr>')


def render_list(rows: list[list[Any]], prefix: str = "") -> str:
    """A static page of the index (no script needed); ``prefix``: put before each
    row's link (the list pages are a folder below the index)."""
    return _index_table(rows, "list-body", prefix)
