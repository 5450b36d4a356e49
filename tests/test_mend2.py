"""Fixes found by a tester: the temporary-file sweep stays within what a run writes."""

from pipeline.cli import main
from pipeline.writers import sweep_temporary


def test_sweep_keeps_the_users_files_beside_the_outputs(tmp_path, monkeypatch):
    """A corpus inside OUT beside the outputs, and a folder of the user's own there: the
    run removes what a killed run left in its own folders and nothing of the user's."""
    out = tmp_path / "sw"
    (out / "corpus").mkdir(parents=True)
    (out / "mine").mkdir()
    (out / "corpus" / "a.txt").write_text("Um texto em português sobre política.\n",
                                          encoding="utf-8")
    users = [out / "mine" / ".tmp-notes.tmp", out / "corpus" / ".tmp-draft.tmp"]
    for path in users:
        path.write_text("x\n", encoding="utf-8")
    left = [out / ".tmp-abcd1234.tmp", out / "clean" / "sub" / ".tmp-123-4.tmp",
            out / "report" / ".tmp-zz.tmp", out / ".pipeline" / ".tmp-lock.tmp"]
    for path in left:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half\n", encoding="utf-8")
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    main(["run", str(out / "corpus"), "--out", str(out), "--to", "en"])
    assert (out / "clean" / "a.txt").is_file()  # the run did run
    assert [p.read_text(encoding="utf-8") for p in users] == ["x\n", "x\n"]
    assert [p for p in left if p.exists()] == []


def test_sweep_covers_every_folder_a_run_writes(tmp_path):
    """The folders swept are the ones the writers name, and a temporary file at any depth
    in them, or at OUT's top, is removed; a file with another name is kept."""
    from pipeline.runner import STATE_DIR
    from pipeline.writers import OUTPUT_FOLDERS
    from pipeline.writers.parallel import PARALLEL_DIR
    from pipeline.writers.review import FOLDER

    assert {STATE_DIR, PARALLEL_DIR, FOLDER, "clean", "translations"} == set(OUTPUT_FOLDERS)
    temporaries = [tmp_path / ".tmp-x.tmp"] + [
        tmp_path / name / "a" / "b" / ".tmp-y.tmp" for name in OUTPUT_FOLDERS]
    kept = [tmp_path / "clean" / "a" / "b" / "tmp-y.tmp", tmp_path / "other" / ".tmp-z.tmp"]
    for path in temporaries + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    assert sweep_temporary(tmp_path) == len(temporaries)
    assert [p for p in temporaries if p.exists()] == []
    assert all(p.exists() for p in kept)


def test_sweep_of_an_out_not_made_yet(tmp_path):
    assert sweep_temporary(tmp_path / "new") == 0
