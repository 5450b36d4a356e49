"""A saved-page archive's address is its page's url (brief html12)."""

from __future__ import annotations

import plistlib

import pytest

from pipeline.extract_html import extract
from pipeline.readers.html import archived_page
from tests.test_html10_archives import PAGE, mhtml, webarchive


@pytest.mark.parametrize(("name", "archive"), [
    ("porto.mhtml", mhtml(PAGE.encode("utf-8"), "utf-8")),
    ("porto.webarchive", webarchive(PAGE.encode("cp1252"), "ISO-8859-1")),
])
def test_an_archives_address_is_its_pages_url(name, archive):
    # Chrome's Snapshot-Content-Location, Safari's WebResourceURL: the url was missing
    page = extract(archived_page(name, archive))
    assert page.metadata["url"] == "https://jornal.example/p"
    assert page.blocks[0] == "Porto de Lisboa reabre"


def test_an_archives_page_with_its_own_canonical_address_keeps_it():
    canonical = PAGE.replace("</title>", '</title><link rel="canonical" '
                             'href="https://jornal.example/porto-reabre">')
    page = extract(archived_page("porto.mhtml", mhtml(canonical.encode("utf-8"), "utf-8")))
    assert page.metadata["url"] == "https://jornal.example/porto-reabre"


def test_an_archive_saved_from_an_address_not_in_ascii_is_read():
    # (the address went before the page as ASCII: UnicodeEncodeError, the file failed)
    archive = plistlib.dumps({"WebMainResource": {
        "WebResourceData": PAGE.encode("utf-8"), "WebResourceMIMEType": "text/html",
        "WebResourceTextEncodingName": "UTF-8", "WebResourceURL": "https://jornal.example/é",
        "WebResourceFrameName": ""}}, fmt=plistlib.FMT_BINARY)
    page = extract(archived_page("porto.webarchive", archive))
    assert page.blocks[0] == "Porto de Lisboa reabre"
    assert "url" not in page.metadata
