"""What every review page shares: its style, its one script, its security policy.

The single page (``OUT/report.html``) holds the script and the style inline; its
Content-Security-Policy allows exactly them by their SHA-256 hash (:data:`CSP`).
The pages of the folder (``OUT/report/``) link to one copy of each instead,
``report/assets/report-<hash>.css`` and ``.js`` (:func:`assets`: a digest of the text in
the name, so that a browser never applies a cached style or script of another version),
by a relative link, so that the folder opens from ``file://``, copied or unzipped
anywhere, with no server; their policy (:data:`LINKED_CSP`) allows the style and
scripts of their own origin (``'self'``: the folder's files) and nothing else. Either
way: no other script, no style attribute, nothing loaded from anywhere else
(``default-src 'none'``). Data for the script (the index of documents) sits in a
``<script type="application/json">`` element, which is never executed.

Without JavaScript a page shows everything it holds; the script only adds the
filter, search and sort controls (hidden until it runs).
"""

from __future__ import annotations

import base64
import hashlib

from pipeline.writers.review.text import esc

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.2em 1.5em; color: #222; }
h1 { font-size: 1.5em; margin: .2em 0 .5em; } h2 { font-size: 1.25em; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
a { color: #0b57d0; }
table { border-collapse: collapse; margin: .4em 0; }
th, td { border: 1px solid #d4d4d4; padding: .25em .5em; vertical-align: top; text-align: start; }
/* Each paragraph of a text in the direction of its own letters: an Arabic or Hebrew sentence
   right to left, its final period at its left end, whatever the page's direction. */
td, .sub { unicode-bidi: plaintext; }
/* A file name or a sentence's id, a link at the start of a cell, reads left to right as a path
   does, whatever its letters: "مقال.txt" keeps ".txt" at its end, not before the name. */
td > a:first-child { unicode-bidi: isolate; direction: ltr; }
th { background: #f3f3f3; font-weight: 600; }
td, h2 { overflow-wrap: anywhere; }  /* a long path without breaks stays on the page */
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; overflow-wrap: normal; }  /* 2,502: never cut as 2,50 / 2 */
code, pre, .mono { font-family: ui-monospace, monospace; font-size: .9em; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
nav.pager { display: flex; flex-wrap: wrap; gap: 0 1.2em; margin: .6em 0; padding: .4em .6em;
  background: #f6f8fa; border: 1px solid #e1e4e8; }
/* A name of hundreds of letters without a break (a deep path) wraps, never widens the page. */
nav.pager a, .note { min-width: 0; overflow-wrap: anywhere; }
section.doc { scroll-margin-top: 5em; }  /* its links above it in view */
section.doc:target > h2 { background: #fff3c4; }
.lead { font-size: 1.05em; max-width: 60em; }
.eyes li { margin: .2em 0; }
.grid { display: flex; flex-wrap: wrap; gap: 0 2.5em; align-items: flex-start; }
svg.bar { vertical-align: middle; }
svg.bar rect { fill: #6b9bd1; } svg.bar.flag rect { fill: #e08a3c; }
svg.bar rect.bg, svg.bar.flag rect.bg { fill: #eef2f7; }
.badge { display: inline-block; padding: 0 .45em; border-radius: .6em; font-size: .8em;
  background: #e8eef7; color: #234; margin-right: .3em; white-space: nowrap; }
.badge.failed, .badge.quarantined { background: #fde2e1; color: #8a1c13; }
.badge.deleted { background: #eee; color: #555; }
.badge.ok { background: #e3f4e6; color: #1d5e2b; }
.sub { color: #555; font-size: .85em; }
table.align { width: 100%; table-layout: fixed; }
table.align td { white-space: pre-wrap; overflow-wrap: anywhere; }
table.align tbody { border-top: 3px solid #9aa5b1; }
table.align tbody.gone td { background: #fff5f5; }
table.align td.src { background: #fbfbf8; }
table.align td.code { background: #f6f8fa; }
table.align td.code pre { white-space: pre; overflow-x: auto; tab-size: 8; }
table.align td.code .note { display: block; font-size: .8em; }
td.title, td.heading { font-weight: bold; }
.lt { font-size: .7em; font-weight: 600; color: #fff; background: #7a5cb8; border-radius: .3em;
  padding: 0 .3em; margin: 0 .2em; vertical-align: .15em; font-family: ui-monospace, monospace; }
sup.lt { background: #7d5f00; }  /* white on it: 5.6:1 (#b58900: 3.2) */
mark.fix { background: #cfe8ff; }
mark.removed { background: #ffd6d6; text-decoration: line-through; }
mark.foreign { background: #fff0a8; border-bottom: 2px dotted #b58900; }
.qa { background: #ffe1c4; }
.flag { display: inline-block; font-size: .72em; color: #fff; background: #9c4f12;
  border-radius: .3em; padding: 0 .3em; margin-left: .25em; }
.missing { color: #6b6b6b; font-style: italic; }  /* 5.3:1 on white (#888: 3.5) */
.note { color: #555; font-style: italic; }
.error { color: #b00020; }
.diff td { font-family: ui-monospace, monospace; font-size: .85em; white-space: pre-wrap;
  overflow-wrap: anywhere; }
.diff tr.del td { background: #ffecec; } .diff tr.add td { background: #eaffea; }
.diff del { background: #ffc0c0; text-decoration: line-through; }
.diff ins { background: #b5efb5; text-decoration: none; }
.tools { display: flex; flex-wrap: wrap; gap: .5em 1em; align-items: center; margin: .5em 0;
  padding: .5em .6em; background: #f6f8fa; border: 1px solid #e1e4e8; }
.tools[hidden] { display: none; }
.tools input[type=search] { min-width: 16em; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0;
  cursor: pointer; color: #0b57d0; }
th[aria-sort=ascending] button::after { content: " \\25B2"; }  /* ▲ */
th[aria-sort=descending] button::after { content: " \\25BC"; }  /* ▼ */
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15em 1em; margin: .4em 0; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; overflow-wrap: anywhere; }
/* A reader whose system is set dark gets a dark page (its form controls and scroll bars
   too, color-scheme); every colour above has its dark counterpart here. */
:root { color-scheme: light dark; }
@media (prefers-color-scheme: dark) {
  body { color: #e3e3e3; background: #16181c; }
  a, th button { color: #8ab4f8; }
  th, td { border-color: #3c4043; }
  th { background: #24272c; }
  nav.pager, .tools { background: #1f2226; border-color: #3c4043; }
  section.doc:target > h2 { background: #4a3f12; }
  svg.bar rect { fill: #6b9bd1; } svg.bar.flag rect { fill: #e08a3c; }
  svg.bar rect.bg, svg.bar.flag rect.bg { fill: #2a2e34; }
  .badge { background: #2b3645; color: #d2deee; }
  .badge.failed, .badge.quarantined { background: #5c1f1a; color: #ffd7d2; }
  .badge.deleted { background: #3a3a3a; color: #cfcfcf; }
  .badge.ok { background: #1e4027; color: #cdeed5; }
  .sub, .note { color: #a9adb3; }
  .missing { color: #8d9197; }
  .error { color: #ff8a80; }
  table.align tbody { border-top-color: #5f6873; }
  table.align tbody.gone td { background: #2e1f1f; }
  table.align td.src { background: #1c1e22; }
  table.align td.code, td.code { background: #1f2226; }
  mark { color: inherit; }
  mark.fix { background: #14354f; }
  mark.removed { background: #5a2626; }
  mark.foreign { background: #3a320a; border-bottom-color: #d8b54a; }
  .qa { background: #4a3219; }
  .diff tr.del td { background: #3a2020; } .diff tr.add td { background: #1d3a22; }
  .diff del { background: #6b2b2b; } .diff ins { background: #245a2c; }
}
/* A phone's narrow window: a table wider than the window scrolls by itself (the page
   never scrolls sideways), a document's name keeps room for its words. */
@media (max-width: 40em) {
  body { margin: .6em .5em; }
  table:not(.align) { display: block; overflow-x: auto; max-width: 100%; }
  #index-table td:first-child { min-width: 11em; }
  .tools input[type=search] { min-width: 0; width: 100%; }
}
"""

SCRIPT = r"""
(function () {
  "use strict";
  function on(form, fn) {
    // Redrawn only when a control's value changed: a "change" event that comes when the
    // search box loses focus (a click on a result) must not replace what is clicked.
    var last = null;
    function run() {
      var now = [];
      for (var i = 0; i < form.elements.length; i++) {
        var el = form.elements[i];
        if (el.tagName === "INPUT" || el.tagName === "SELECT") {
          now.push(el.type === "checkbox" ? el.checked : el.value);
        }
      }
      now = JSON.stringify(now);
      if (now !== last) { last = now; fn(); }
    }
    form.addEventListener("input", run);
    form.addEventListener("change", run);
    run();
  }
  function field(form, name) { var el = form.elements[name]; return el ? el.value : ""; }
  function show(form) {
    form.hidden = false;
    form.addEventListener("submit", function (e) { e.preventDefault(); });
  }
  function has(list, token) { return (" " + list + " ").indexOf(" " + token + " ") >= 0; }

  var data = document.getElementById("index-data");
  if (data) { indexTable(JSON.parse(data.textContent)); }
  var docs = document.querySelectorAll("form.doc-tools");
  for (var i = 0; i < docs.length; i++) { docTools(docs[i]); }
  var flags = document.getElementById("flag-tools");
  if (flags) { flagTools(flags); }

  function indexTable(d) {
    var form = document.getElementById("index-tools");
    var body = document.getElementById("index-body");
    var count = document.getElementById("index-count");
    var pages = document.getElementById("index-page");
    var rows = d.rows, shown = rows, page = 0, size = d.page, key = -1, dir = 1;
    var numeric = d.numeric;
    show(form);
    function cmp(a, b) {
      var x = a[key], y = b[key];
      if (numeric.indexOf(key) >= 0) { return dir * (x - y); }
      return dir * (x < y ? -1 : x > y ? 1 : 0);
    }
    function apply() {
      var st = field(form, "status"), lg = field(form, "lang"), fx = field(form, "fix");
      var fl = field(form, "flag"), q = field(form, "q").toLowerCase();
      shown = rows.filter(function (r) {
        return (!st || r[d.col.status] === st) && (!lg || r[d.col.lang] === lg) &&
          (!fx || has(r[d.col.kinds], fx)) &&
          (!fl || (fl === "*" ? r[d.col.flags] > 0 : has(r[d.col.flagkeys], fl))) &&
          (!q || (r[d.col.doc] + "\n" + r[d.col.title]).toLowerCase().indexOf(q) >= 0);
      });
      if (key >= 0) { shown = shown.slice().sort(cmp); }
      page = 0;
      draw();
    }
    function cell(tr, text, cls) {
      var td = document.createElement("td");
      td.textContent = text;
      if (cls) { td.className = cls; }
      tr.appendChild(td);
      return td;
    }
    function nameShown(name) {  // control characters as symbols, as on the server
      return name.replace(/[\x00-\x1f\x7f]/g, function (c) {
        return c === "\x7f" ? "\u2421" : String.fromCharCode(0x2400 + c.charCodeAt(0));
      });
    }
    function draw() {
      var last = Math.max(0, Math.ceil(shown.length / size) - 1);
      page = Math.min(Math.max(page, 0), last);
      var frag = document.createDocumentFragment();
      shown.slice(page * size, page * size + size).forEach(function (r) {
        var tr = document.createElement("tr"), td = cell(tr, "");
        var a = document.createElement("a");
        a.href = r[d.col.href];
        a.textContent = nameShown(r[d.col.doc]);
        td.appendChild(a);
        if (r[d.col.title]) {
          var t = document.createElement("div");
          t.className = "sub";
          t.textContent = r[d.col.title];
          td.appendChild(t);
        }
        cell(tr, r[d.col.lang]);
        var s = cell(tr, "");
        var b = document.createElement("span");
        b.className = "badge " + r[d.col.status];
        b.textContent = r[d.col.status];
        s.appendChild(b);
        ["fixes", "spans", "flags", "segments"].forEach(function (k) {
          cell(tr, String(r[d.col[k]]), "n");
        });
        frag.appendChild(tr);
      });
      body.textContent = "";
      body.appendChild(frag);
      count.textContent = shown.length + " of " + rows.length + " documents" +
        (shown.length > size ? ", page " + (page + 1) + " of " + (last + 1) : "");
      pages.hidden = shown.length <= size;
    }
    form.elements.prev.addEventListener("click", function () { page -= 1; draw(); });
    form.elements.next.addEventListener("click", function () { page += 1; draw(); });
    var heads = document.querySelectorAll("#index-table th[data-key]");
    for (var h = 0; h < heads.length; h++) {
      (function (th) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = th.textContent;
        th.textContent = "";
        th.appendChild(button);
        button.addEventListener("click", function () {
          var k = d.col[th.getAttribute("data-key")];
          dir = key === k ? -dir : (numeric.indexOf(k) >= 0 ? -1 : 1);
          key = k;
          // The column sorted and its direction, told to the eye (an arrow) and to a
          // screen reader (aria-sort); the other columns unsorted.
          for (var o = 0; o < heads.length; o++) { heads[o].removeAttribute("aria-sort"); }
          th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
          apply();
        });
      })(heads[h]);
    }
    on(form, apply);
  }

  function docTools(form) {
    var section = form.parentNode, groups = section.querySelectorAll("table.align tbody");
    var count = form.querySelector("output");
    show(form);
    function apply() {
      var q = field(form, "q").toLowerCase(), want = [], n = 0;
      ["flag", "foreign", "fix", "other"].forEach(function (k) {
        if (form.elements[k] && form.elements[k].checked) { want.push(k); }
      });
      for (var g = 0; g < groups.length; g++) {
        var kinds = groups[g].getAttribute("data-k") || "", ok = true;
        for (var w = 0; w < want.length; w++) { ok = ok && has(kinds, want[w]); }
        if (ok && q) { ok = groups[g].textContent.toLowerCase().indexOf(q) >= 0; }
        groups[g].hidden = !ok;
        n += ok ? 1 : 0;
      }
      count.textContent = n + " of " + groups.length +
        (groups.length === 1 ? " paragraph" : " paragraphs");
    }
    on(form, apply);
  }

  function flagTools(form) {
    var rows = document.querySelectorAll("#flag-table tr[data-pair]");
    var count = form.querySelector("output");
    show(form);
    function apply() {
      var pair = field(form, "pair"), kind = field(form, "kind"), n = 0;
      for (var r = 0; r < rows.length; r++) {
        var ok = (!pair || rows[r].getAttribute("data-pair") === pair) &&
          (!kind || has(rows[r].getAttribute("data-flags"), kind));
        rows[r].hidden = !ok;
        n += ok ? 1 : 0;
      }
      count.textContent = n + " of " + rows.length + " flagged segments";
    }
    on(form, apply);
  }
})();
"""


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


CSP = (
    f"default-src 'none'; style-src {_hash(STYLE)}; script-src {_hash(SCRIPT)}; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
# The folder's pages: their style and script are files beside them (:func:`assets`).
LINKED_CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
ASSETS = "assets"  # the folder of the style and the script, in OUT/report/


def _file_name(text: str, suffix: str) -> str:
    """``report-<first 12 hex digits of the text's sha256>.<suffix>``.

    >>> _file_name("body {}", "css")
    'report-62368a1a2925.css'
    """
    return f"report-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}.{suffix}"


STYLE_FILE = _file_name(STYLE, "css")
SCRIPT_FILE = _file_name(SCRIPT, "js")


def assets() -> dict[str, str]:
    """The files of ``OUT/report/assets/``: name -> text."""
    return {STYLE_FILE: STYLE, SCRIPT_FILE: SCRIPT}


def head(title: str, root: str | None = None) -> str:
    """The start of a page, up to and including ``<body>``: with the style inline, or
    (``root``: the path from the page to the folder's root, ``""`` or ``"../"``) a link
    to the folder's style file.

    >>> head("T", "../").count("../assets/report-"), "<style>" in head("T")
    (1, True)
    """
    if root is None:
        policy, style = CSP, f"<style>{STYLE}</style>\n"
    else:
        policy = LINKED_CSP
        style = f'<link rel="stylesheet" href="{root}{ASSETS}/{STYLE_FILE}">\n'
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="icon" href="data:,">\n<title>{esc(title)}</title>\n'
        f"{style}</head>\n<body>\n"
    )


def tail(root: str | None = None) -> str:
    """The end of a page: the script (inline, or linked as :func:`head` says), then the
    closing tags."""
    if root is None:
        return f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    return f'<script src="{root}{ASSETS}/{SCRIPT_FILE}"></script>\n</body>\n</html>\n'


def redirect(target: str) -> str:
    """A page that sends the browser to ``target`` (and links to it)."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<meta http-equiv=\"Content-Security-Policy\" "
        "content=\"default-src 'none'; img-src data:\">\n"  # its icon: data:, (none fetched)
        f'<meta http-equiv="refresh" content="0; url={esc(target)}">\n'
        '<link rel="icon" href="data:,">\n<title>Pipeline run report</title>\n</head>\n<body>\n'
        f'<p>The report is a folder: open <a href="{esc(target)}">{esc(target)}</a>.</p>\n'
        "</body>\n</html>\n"
    )


def bar(value: float, top: float, css: str = "", width: int = 160) -> str:
    """A horizontal bar, ``value`` out of ``top``, as inline SVG (no style attribute).

    >>> bar(1, 4, width=100)
    '<svg class="bar" width="100" height="11" aria-hidden="true"><rect class="bg" \
width="100" height="11"/><rect width="25" height="11"/></svg>'
    """
    filled = 0 if top <= 0 else max(1, round(width * value / top)) if value else 0
    return (
        f'<svg class="bar{" " + css if css else ""}" width="{width}" height="11" '
        f'aria-hidden="true"><rect class="bg" width="{width}" height="11"/>'
        f'<rect width="{filled}" height="11"/></svg>'
    )
