"""Stops at awkward moments (ops12): a signal sent by the process to itself at a fixed
point through a hook set before the command starts, never after a sleep."""

from __future__ import annotations

import json
import signal

from tests.test_ops11_signals import RUN_HOOK, _command, _corpus, _report


def test_a_stop_while_the_corpus_is_listed_is_said_in_the_log(tmp_path):
    # The run stopped (report.json said interrupted, exit 143) but its log never said it
    # had received the signal: only a stop during a shard was logged.
    corpus, out = _corpus(tmp_path), tmp_path / "out"
    done = _command(tmp_path, RUN_HOOK, ["run", str(corpus), "--out", str(out)],
                    SIG=signal.SIGTERM)
    assert done.returncode == 143, done.stderr
    assert "received SIGTERM" in done.stderr
    assert _report(out)["interrupted"] is True
    done = _command(tmp_path, RUN_HOOK, ["run", str(corpus), "--out", str(tmp_path / "o2"),
                                         "--log-format", "json"], SIG=signal.SIGINT)
    assert done.returncode == 130, done.stderr
    events = [json.loads(line) for line in done.stderr.splitlines()]
    stopping = [e for e in events if e["event"] == "stopping"]
    assert len(stopping) == 1 and stopping[0]["signal"] == signal.SIGINT
    assert "received SIGINT" in stopping[0]["message"]
    assert events[-1]["event"] == "done" and events[-1]["exit_code"] == 130
