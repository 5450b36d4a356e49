"""Hostile model archives: refused before anything is written, nothing half-installed."""

import json
import zipfile
from pathlib import Path

import pytest

from pipeline.engines import argos
from pipeline.testing.argos_package import build_package


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return build_package(tmp_path_factory.mktemp("built"), "pt", "en", seed=7)


def _rewrite(src: Path, dest: Path, edit) -> Path:
    """Copy the archive ``src`` to ``dest``, letting ``edit(name, data)`` change members."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            for name, data, attr in edit(info.filename, zin.read(info)):
                item = zipfile.ZipInfo(name)
                item.external_attr = attr
                zout.writestr(item, data)
    return dest


def _keep(name, data):
    return [(name, data, 0o644 << 16)]


CASES = {
    "parent path": (lambda n, d: _keep(n, d) + ([("../evil.txt", b"x", 0o644 << 16)]
                                                 if n.endswith("metadata.json") else []),
                    "outside the package directory"),
    "absolute path": (lambda n, d: _keep(n, d) + ([("/tmp/evil.txt", b"x", 0o644 << 16)]
                                                   if n.endswith("metadata.json") else []),
                      "outside the package directory"),
    "symlink": (lambda n, d: _keep(n, d) + ([(n.split("/")[0] + "/link", b"/etc/passwd",
                                              0o120777 << 16)]
                                            if n.endswith("metadata.json") else []),
                "symbolic link"),
    "two top-level directories": (lambda n, d: _keep(n, d) + ([("other/x", b"x", 0o644 << 16)]
                                                               if n.endswith("metadata.json")
                                                               else []),
                                  "exactly one top-level directory"),
    "no metadata": (lambda n, d: [] if n.endswith("metadata.json") else _keep(n, d),
                    "metadata.json is missing"),
    "malformed metadata": (lambda n, d: _keep(n, b"{not json" if n.endswith("metadata.json")
                                              else d), "not valid JSON"),
    "metadata without codes": (lambda n, d: _keep(n, json.dumps({"package_version": "1"})
                                                  .encode() if n.endswith("metadata.json")
                                                  else d), "no 'from_code'"),
    "no model": (lambda n, d: [] if n.endswith("model.bin") else _keep(n, d),
                 "model.bin is missing"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_archive_is_refused_and_nothing_is_written(good, tmp_path, case):
    edit, message = CASES[case]
    bad = _rewrite(good, tmp_path / "bad.argosmodel", edit)
    packages = tmp_path / "root" / "packages"
    before = sorted(p for p in tmp_path.rglob("*"))
    with pytest.raises(argos.ModelError, match=message):
        argos.install_file(bad, packages)
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert not Path("/tmp/evil.txt").exists()
    assert argos.installed_packages(packages) == []


def test_not_a_zip_is_refused(tmp_path):
    fake = tmp_path / "fake.argosmodel"
    fake.write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(argos.ModelError, match="not a zip archive"):
        argos.install_file(fake, tmp_path / "packages")


def test_good_archive_installs(good, tmp_path):
    info = argos.install_file(good, tmp_path / "packages")
    assert (info.from_code, info.to_code) == ("pt", "en")
    assert [p.package_id for p in argos.installed_packages(tmp_path / "packages")] == [
        info.package_id
    ]


def test_archive_that_unpacks_to_an_absurd_size_is_refused(good, tmp_path, monkeypatch):
    monkeypatch.setattr(argos, "MAX_PACKAGE_BYTES", 100_000)  # the tiny package is ~1 MB
    with pytest.raises(argos.ModelError, match="would unpack to"):
        argos.install_file(good, tmp_path / "packages")
    assert not (tmp_path / "packages").exists() or not any((tmp_path / "packages").iterdir())
