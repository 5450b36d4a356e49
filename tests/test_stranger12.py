"""Found by using the pipeline as a second user, a cron job and a shared server would
(session 2026-12-07, stranger12)."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o002, 0o027], ids=["umask-002", "umask-027"])
def test_the_state_database_follows_the_umask(corpus_copy, tmp_path, umask):
    # Two users of one group share OUT under umask 002 (a setgid folder): every output
    # was 0664, but SQLite made the state 0644 (its own default, less the umask), so
    # the second user's run stopped with "attempt to write a readonly database", exit 74
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "ARGOS_PACKAGES_DIR": str(tmp_path / "no-models")}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(corpus_copy), "--out", str(out)],
        env=env, capture_output=True, text=True, umask=umask,
    )
    assert done.returncode == 3, done.stderr  # missing models: everything else written
    assert _mode(out / "documents.jsonl") == 0o666 & ~umask
    assert _mode(out / ".pipeline" / "state.sqlite") == 0o666 & ~umask


@pytest.mark.parametrize("umask", [0o002, 0o027], ids=["umask-002", "umask-027"])
def test_the_translation_memory_and_its_wal_files_follow_the_umask(tmp_path, umask):
    from pipeline.memory import TranslationMemory

    path = tmp_path / "memory.sqlite"
    previous = os.umask(umask)
    try:
        with TranslationMemory(path) as memory:
            memory.put_many("m1", "pt", "en", {"Olá mundo.": "Hello world."})
            # SQLite gives its -wal and -shm files the database's own mode
            modes = {p.name: _mode(p) for p in tmp_path.iterdir()}
    finally:
        os.umask(previous)
    assert modes == dict.fromkeys(["memory.sqlite", "memory.sqlite-wal", "memory.sqlite-shm"],
                                  0o666 & ~umask)



def _as_another_user(folder: Path | None, action) -> str:
    """What ``action()`` returns, or the error it raises, called in a child process as
    another user (nobody; a user other than root: with the files of ``folder`` made
    read-only instead). ``folder`` is writable by everyone, its files by no one else."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            if os.getuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            elif folder is not None:
                for path in folder.iterdir():
                    os.chmod(path, 0o444)
            message = action()
        except BaseException as exc:  # noqa: BLE001 - said to the parent
            message = f"{type(exc).__name__}: {exc}"
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    with os.fdopen(read, "rb") as pipe:
        return pipe.read().decode()


# What a refusal says to do: as another user (nobody, when the tests run as root); as
# the owner itself where the tests lock their own user out instead
_FIX = ("run as its owner, or let the group write it" if os.getuid() == 0
        else "it is this user's own: chmod u+w")


@pytest.fixture
def shared_folder():
    """A folder that every user may write, outside the tests' private (0700) folders."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp())
    os.chmod(folder, 0o777)
    yield folder
    shutil.rmtree(folder)


def test_another_users_state_is_refused_before_sqlite_leaves_files_its_owner_cannot_write(
        shared_folder):
    # A group's OUT (umask 002) whose state SQLite made 0644: a second user's run stopped
    # with exit 74, "attempt to write a readonly database", and left state.sqlite-wal and
    # -shm of its own, 0644, in .pipeline (a --dry-run too); from then on every run of
    # the state's owner stopped the same way, until someone removed them
    from pipeline.state import SCHEMA_VERSION, StateError, StateStore

    state = shared_folder / "state.sqlite"
    StateStore(state).db.close()
    os.chmod(state, 0o644)

    def look_then_run() -> str:
        # a --dry-run, or a run's first look before it takes the state
        schema = StateStore.read_only_meta(state, "schema")
        try:
            StateStore(state)
        except StateError as exc:
            return f"schema {schema}: {exc}"
        return f"schema {schema}: opened"

    message = _as_another_user(shared_folder, look_then_run)
    assert message.startswith(f"schema {SCHEMA_VERSION}: ")  # read all the same
    assert f"cannot write it: {_FIX}" in message
    assert sorted(p.name for p in shared_folder.iterdir()) == ["state.sqlite"]


def test_another_users_translation_memory_is_refused_before_sqlite_leaves_files(
        shared_folder):
    from pipeline.memory import TranslationMemory

    path = shared_folder / "memory.sqlite"
    with TranslationMemory(path) as memory:
        memory.put_many("m1", "pt", "en", {"Olá mundo.": "Hello world."})
    os.chmod(path, 0o644)
    message = _as_another_user(shared_folder, lambda: str(TranslationMemory(path).path))
    assert message.startswith("OperationalError: ")
    assert f"cannot write it: {_FIX}" in message
    assert sorted(p.name for p in shared_folder.iterdir()) == ["memory.sqlite"]


# A process whose uid has no entry in /etc/passwd and no HOME (a container started with
# an arbitrary uid, `env -i`): Python's Path.home() raises RuntimeError there.
_NO_HOME = """
import os, pwd, runpy, sys
def no_entry(uid):
    raise KeyError(f"getpwuid(): uid not found: {uid}")
pwd.getpwuid = no_entry
for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):  # the word lists' cache kept
    os.environ.pop(name, None)
sys.argv = ["pipeline", *sys.argv[1:]]
runpy.run_module("pipeline", run_name="__main__")
"""


@pytest.mark.parametrize("models", ["ARGOS_PACKAGES_DIR", "none"])
def test_a_run_without_a_home_directory_goes_on(corpus_copy, tmp_path, models, request):
    # argostranslate calls Path.home() when imported: the run stopped with exit 70,
    # "internal error: RuntimeError: Could not determine home directory", with a model
    # in ARGOS_PACKAGES_DIR or without one (README: where HOME cannot hold the models, a
    # run warns and goes on)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("ARGOS_PACKAGES_DIR")
    if models != "none":
        env["ARGOS_PACKAGES_DIR"] = str(request.getfixturevalue("pt_en_models"))
    done = subprocess.run(
        [sys.executable, "-c", _NO_HOME, "run", str(corpus_copy), "--out", str(out)],
        env=env, capture_output=True, text=True, cwd=tmp_path,
    )
    assert done.returncode == 3, done.stderr  # missing models: everything else written
    assert "Could not determine home directory" not in done.stdout + done.stderr
    assert (out / "clean" / "article-pt.txt").is_file()
    if models != "none":
        assert (out / "translations" / "en" / "article-pt.txt").is_file()
    else:
        assert "no home: HOME unset" in done.stderr


@pytest.mark.parametrize("dry_run", [False, True], ids=["run", "dry-run"])
def test_out_a_link_to_a_missing_folder_is_named_as_such(corpus_copy, tmp_path, dry_run):
    # OUT a link to a share that is not mounted: the run said "cannot create output
    # directory out: File exists", and --dry-run planned every document as new
    out = tmp_path / "out"
    out.symlink_to(tmp_path / "share" / "out")
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "ARGOS_PACKAGES_DIR": str(tmp_path / "no-models")}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(corpus_copy), "--out", str(out),
         *(["--dry-run"] if dry_run else [])],
        env=env, capture_output=True, text=True,
    )
    assert done.returncode == 2, done.stderr
    assert (f"output directory {out} is a symbolic link to {tmp_path / 'share' / 'out'}, "
            "which does not exist") in done.stderr
    assert not (tmp_path / "share").exists() and done.stdout == ""


def test_workers_under_a_temporary_folder_too_long_for_their_socket(tmp_path):
    # The fork server's socket is made under TMPDIR: a long TMPDIR ended a run of
    # --workers 2 with exit 74, "cannot write to OUT: AF_UNIX path too long ... free
    # space or fix permissions", which neither was; only a run with more than a shard
    # (32 documents) to do starts workers: one of fewer went on
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(40):
        (corpus / f"a{n}.txt").write_text(f"Report {n}: the harbour reopened today.\n")
    tmp = tmp_path / ("t" * max(1, 80 - len(os.fsencode(tmp_path))))
    tmp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp),
           "ARGOS_PACKAGES_DIR": str(tmp_path / "no-models")}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(corpus), "--out",
         str(tmp_path / "out"), "--workers", "2"],
        env=env, capture_output=True, text=True,
    )
    assert done.returncode == 2, done.stderr
    assert f"the temporary folder {tmp} (TMPDIR) has too long a path" in done.stderr
    assert "TMPDIR=/tmp" in done.stderr


def test_the_longest_temporary_folder_the_workers_take(monkeypatch):
    # measured: a TMPDIR of 75 bytes ran with --workers 2, one of 76 did not
    import tempfile

    from pipeline.cli import check_socket_folder
    from pipeline.config import ConfigError

    monkeypatch.setattr(tempfile, "tempdir", "/" + "t" * 74)
    check_socket_folder(2)
    check_socket_folder(1)
    monkeypatch.setattr(tempfile, "tempdir", "/" + "t" * 75)
    check_socket_folder(1)
    with pytest.raises(ConfigError, match="too long a path"):
        check_socket_folder(2)


def test_another_users_private_out_is_said_to_be_unreadable(shared_folder):
    # OUT made under umask 077 by its owner, run, dry-run or explained by another user:
    # exit 70 "internal error: PermissionError ... (a bug: please report it)" for all
    # three (pathlib's is_file raises where a folder cannot be searched)
    corpus = shared_folder / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The harbour reopened on Tuesday after a long strike.\n")
    out = shared_folder / "out"
    (out / ".pipeline").mkdir(parents=True)
    (out / ".pipeline" / "state.sqlite").touch()
    (out / "documents.jsonl").touch()
    import contextlib
    import io

    from pipeline.cli import main

    def commands() -> str:
        said = []
        for argv in (["run", str(corpus), "--out", str(out)],
                     ["run", str(corpus), "--out", str(out), "--dry-run"],
                     ["explain", "a.txt", "--out", str(out)]):
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr):
                code = main(argv)
            said.append(f"{code} {stderr.getvalue().strip()}")
        return "\n".join(said)

    commands()  # as the owner first: the modules they use are imported (nobody may
    # not read the Python's own modules, in root's home)
    private = 0o700 if os.getuid() == 0 else 0o000  # the owner (not root) is locked out too
    for folder in (out / ".pipeline", out):
        os.chmod(folder, private)
    try:
        said = _as_another_user(None, commands).splitlines()
    finally:
        os.chmod(out, 0o755)
        os.chmod(out / ".pipeline", 0o755)
    unreadable = f"cannot read the output directory {out}: it belongs to uid"
    assert said[0].startswith(f"74 pipeline: error: {unreadable}"), said
    assert said[1].startswith(f"74 pipeline: error: {unreadable}"), said
    assert said[2] == (f"2 pipeline explain: error: cannot read {out}/documents.jsonl: "
                       "Permission denied"), said


def test_a_corpus_or_out_this_user_may_not_reach_is_said_so(shared_folder):
    # A folder on the way that this user may not search, or a relative path from a
    # current folder it may not enter (sudo -u from a private home): exit 70,
    # "internal error: PermissionError ... (a bug: please report it)"
    import contextlib
    import io

    from pipeline.cli import main

    corpus, private = shared_folder / "corpus", shared_folder / "private"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The harbour reopened on Tuesday after a long strike.\n")
    (private / "corpus").mkdir(parents=True)
    (private / "corpus" / "a.txt").write_text("The port reopened after a strike.\n")
    here = os.getcwd()

    def commands() -> str:  # run in the folder private
        said = []
        for argv in (["run", str(private / "corpus"), "--out", str(shared_folder / "o1")],
                     ["run", str(corpus), "--out", str(private / "out")],
                     ["run", "corpus", "--out", "../o2", "--dry-run"]):
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr):
                code = main(argv)
            said.append(f"{code} {(stderr.getvalue().strip().splitlines() or [''])[-1]}")
        return "\n".join(said)

    os.chdir(private)
    try:
        commands()  # as the owner first: the modules they use are imported (nobody may
        # not read the Python's own modules, in root's home)
        os.chmod(private, 0o000)  # the owner (not root) is locked out too
        said = _as_another_user(None, commands).splitlines()
    finally:
        os.chdir(here)
        os.chmod(private, 0o755)
    assert said[0] == (f"2 pipeline: error: cannot reach corpus directory {private}/corpus: "
                       "Permission denied"), said
    assert said[1] == (f"74 pipeline: error: cannot reach output directory {private}/out: "
                       "Permission denied"), said
    assert said[2] == ("2 pipeline: error: cannot reach corpus directory corpus: Permission "
                       "denied (this user may not enter the current folder, as after sudo -u "
                       "from a private home: give absolute paths)"), said


def test_another_users_out_is_said_to_be_theirs(shared_folder, monkeypatch):
    # OUT of another user (umask 022): "cannot write to OUT: Permission denied", or exit
    # 75 while the owner's run held the lock (a scheduler then waits for the next tick,
    # which fails the same way); a --dry-run reads it as before
    import contextlib
    import io

    from pipeline.cli import main

    corpus, out = shared_folder / "corpus", shared_folder / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The harbour reopened on Tuesday after a long strike.\n")
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(shared_folder / "no-models"))

    def commands() -> str:
        said = []
        for argv in (["run", str(corpus), "--out", str(out)],
                     ["run", str(corpus), "--out", str(out), "--dry-run"]):
            stderr, stdout = io.StringIO(), io.StringIO()
            with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(stdout):
                code = main(argv)
            said.append(f"{code} {(stderr.getvalue().strip().splitlines() or [''])[-1]}"
                        f" | {(stdout.getvalue().strip().splitlines() or [''])[-1]}")
        return "\n".join(said)

    commands()  # the owner's run; the modules are imported (see above)
    for folder in (out / ".pipeline", out):
        os.chmod(folder, 0o555)  # the owner (not root) may not write either
    try:
        said = _as_another_user(None, commands).splitlines()
    finally:
        os.chmod(out, 0o755)
        os.chmod(out / ".pipeline", 0o755)
    assert said[0].startswith(f"74 pipeline: error: cannot write the output directory {out}: "
                              "it belongs to uid"), said
    assert said[0].endswith(" | "), said  # no summary
    fix = ("run as its owner, or let this user's group write it" if os.getuid() == 0
           else f"it is this user's own: chmod u+wx {out}")
    assert f"may not write it: {fix}" in said[0], said
    assert said[1] == "0  | 1 unchanged", said


def test_a_packages_directory_this_user_may_not_read_is_a_problem_not_a_crash(
        shared_folder):
    # ARGOS_PACKAGES_DIR of another user (0700): every run, dry-run and `models list`
    # ended with exit 70, "internal error: PermissionError ... (a bug: please report it)"
    from pipeline.engines.argos import list_packages

    private = shared_folder / "private"
    for packages in (private, private / "packages"):
        packages.mkdir()
        list_packages(packages)  # as the owner: nothing installed, no problem; imported
    os.chmod(private, 0o000)  # the owner (not root) is locked out too
    try:
        said = _as_another_user(None, lambda: "\n".join(
            f"{len(listing.packages)} {listing.problems}"
            for listing in map(list_packages, (private, private / "packages"))))
    finally:
        os.chmod(private, 0o755)
    for line, packages in zip(said.splitlines(), (private, private / "packages"), strict=True):
        assert line == (f"0 ('the packages directory {packages} cannot be read (Permission "
                        "denied): no model is used; point ARGOS_PACKAGES_DIR at a folder this "
                        "user may read',)"), said


def test_a_corpus_named_with_a_line_break_keeps_the_log_one_line_an_event(tmp_path):
    # "1 document in c" and "nl" were two lines of the log: each other line with a
    # name shows the line break as \n (a cron log's reader takes a line for an event)
    corpus = tmp_path / "c\nnl"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The harbour reopened on Tuesday after a long strike.\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "ARGOS_PACKAGES_DIR": str(tmp_path / "no-models")}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(tmp_path / "o")],
        env=env, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    start = f"1 document in {tmp_path}/c\\nnl"
    assert start in done.stderr.splitlines(), done.stderr
