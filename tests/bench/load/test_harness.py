"""The load benchmark's own logic that needs no running stack: when the bulk issuance is
killed, how large that award is, and what the time budget skips."""

from __future__ import annotations

import time

from tests.bench.load import __main__ as bench
from tests.bench.load import faults


class PolledJob:
    """A trainer whose job's page answers ``answers`` one after the other (then the last)."""

    def __init__(self, answers: list[dict]) -> None:
        self.answers, self.polls = answers, 0

    def job(self, _job_id: str) -> dict:
        self.polls += 1
        return self.answers[min(self.polls, len(self.answers)) - 1]


def test_the_kill_comes_at_the_first_poll_showing_the_job_mid_way(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda _seconds: None)
    trainer = PolledJob(
        [
            {},  # the web worker was killed: no answer
            {"status": "running", "done": 0, "total": 300, "finished": False},
            {"status": "running", "done": 84, "total": 300, "finished": False},
            {"status": "running", "done": 170, "total": 300, "finished": False},
        ]
    )
    assert faults.seen_mid_way(trainer, "job", 300)["done"] == 84
    assert trainer.polls == 3


def test_a_job_over_before_it_is_seen_mid_way_is_returned_finished(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda _seconds: None)
    done = {"status": "done", "done": 300, "total": 300, "finished": True}
    trainer = PolledJob([{"status": "queued", "done": 0, "finished": False}, done])
    assert faults.seen_mid_way(trainer, "job", 300) == done


def test_the_killed_award_lasts_a_few_seconds_at_the_measured_rate():
    assert faults.killed_job_size(200, 950) == 200 * faults.KILLED_JOB_SECONDS
    assert faults.killed_job_size(8, 950) == 100  # never tiny on a slow machine
    assert faults.killed_job_size(5000, 950) == 950  # never more than the pool


def test_what_would_not_end_before_the_deadline_is_skipped_and_said(monkeypatch, capsys):
    monkeypatch.setattr(bench, "DEADLINE", 100)
    monkeypatch.setattr(bench, "STARTED", time.monotonic() - 40)  # 60 s left
    assert not bench.skip("Stage 20-think", 35, 20)
    assert capsys.readouterr().out == ""
    assert bench.skip("Stage 100-think", 50, 20)
    said = capsys.readouterr().out
    assert "Stage 100-think: skipped" in said and "BENCH_LOAD_DEADLINE=100" in said
