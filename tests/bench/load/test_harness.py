"""The load benchmark's own logic that needs no running stack: when the bulk issuance is
killed, how large that award is, what the time budget skips, and the CPU each request costs as
the Gunicorn hooks write it and the harness reads it."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from tests.bench.load import __main__ as bench
from tests.bench.load import faults, gunicorn_hooks, run


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


# ------------------------------------------------------------------ CPU per request (hooks)


class FakeRequest:
    def __init__(self, method: str, path: str) -> None:
        self.method, self.path = method, path


class FakeResponse:
    def __init__(self, status_code: int, headers: list[tuple[str, str]] | None = None) -> None:
        self.status_code, self.headers = status_code, headers or []


@pytest.fixture
def cpu_dir(tmp_path, monkeypatch):
    """The hooks writing into ``tmp_path`` (a descriptor of their own, closed afterwards)."""
    monkeypatch.setenv(gunicorn_hooks.DIRECTORY_VARIABLE, str(tmp_path))
    monkeypatch.setattr(gunicorn_hooks, "_out", None)
    monkeypatch.setattr(gunicorn_hooks, "_started", None)
    yield tmp_path
    if gunicorn_hooks._out is not None:
        os.close(gunicorn_hooks._out[1])


def answer(request: FakeRequest, response: FakeResponse) -> None:
    gunicorn_hooks.pre_request(None, request)
    gunicorn_hooks.post_request(None, request, {}, response)


def test_each_request_is_written_with_its_name_and_cpu(cpu_dir):
    session = "/apprenant/evaluations/12"
    answer(FakeRequest("GET", session), FakeResponse(200))
    answer(FakeRequest("POST", f"{session}/reponse"), FakeResponse(303, [("Location", session)]))
    last = FakeResponse(303, [("location", f"http://x{session}/resultats")])
    answer(FakeRequest("POST", f"{session}/reponse"), last)
    answer(FakeRequest("POST", f"{session}/reponse"), FakeResponse(503))
    answer(FakeRequest("GET", "/healthz"), FakeResponse(200))

    written = cpu_dir / f"requests-cpu-{os.getpid()}.tsv"
    requests = [gunicorn_hooks.parse(line) for line in written.read_text().splitlines()]
    assert [r.name for r in requests] == [
        "question GET",
        "answer POST",
        "last answer POST",
        "answer POST HTTP 503",
        "/healthz",
    ]
    assert all(r.worker_ms >= 0 and r.children_ms == 0 for r in requests)


def test_a_request_without_its_start_writes_nothing(cpu_dir):
    gunicorn_hooks.post_request(None, FakeRequest("GET", "/healthz"), {}, None)
    assert list(cpu_dir.iterdir()) == []


def test_requests_are_named_as_locust_names_them():
    name = gunicorn_hooks.request_name
    assert name("GET", "/apprenant/campagne/CRCN-CHRG", 200) == "campaign page GET"
    assert name("POST", "/apprenant/campagne/CRCN-CHRG", 303) == "start POST"
    assert name("GET", "/apprenant/evaluations/7/resultats", 200) == "results GET"
    assert name("GET", "/c/urn-uuid-1234", 200) == "/c/<id>"
    assert name("POST", "/api/verifier", 200) == "/api/verifier"
    studio = "/studio/3/campagnes/12/resultats"
    assert name("GET", studio, 200) == "GET /studio/<n>/campagnes/<n>/resultats"
    assert name("POST", "/apprenant/evaluations/7/reponse", 400) == "answer POST HTTP 400"


def _burn(seconds: float) -> None:
    while time.process_time() < seconds:
        pass


def _burn_then_wait(ready) -> None:
    _burn(0.05)
    ready.send("burnt")
    time.sleep(60)  # killed by the test


@pytest.mark.parametrize("reaped", [False, True], ids=["warm child", "child reaped"])
def test_the_children_cpu_during_a_request_is_added(cpu_dir, reaped):
    """The verifier's sandboxes are warm children the worker's process_time does not see."""
    context = multiprocessing.get_context("fork")
    request = FakeRequest("POST", "/api/verifier")
    gunicorn_hooks.pre_request(None, request)
    ours, theirs = context.Pipe()
    child = context.Process(target=_burn_then_wait, args=(theirs,), daemon=True)
    child.start()
    assert ours.recv() == "burnt"
    if reaped:
        child.kill()
        child.join()
    gunicorn_hooks.post_request(None, request, {}, FakeResponse(200))
    child.kill()
    child.join()

    [line] = (cpu_dir / f"requests-cpu-{os.getpid()}.tsv").read_text().splitlines()
    assert gunicorn_hooks.parse(line).children_ms >= 30  # 50 ms burnt (10 ms clock ticks)


def test_a_stage_reads_what_was_written_after_its_start_and_summarises_it(tmp_path):
    first, second = tmp_path / "requests-cpu-101.tsv", tmp_path / "requests-cpu-102.tsv"
    first.write_text("/healthz\t1.000\t0.000\nquestion GET\t9.000\t0.000\n")
    since = gunicorn_hooks.offsets(tmp_path)
    with first.open("a") as out:
        out.write("question GET\t4.000\t0.000\nquestion GET\t6.000\t0.000\n")
        out.write("question GET\t8.000\t0.000\n")
        out.write("answer POST\t3.000\t0.000\nlast answer POST\t40.000\t0.000\n")
        out.write("/healthz\t0.5")  # being written: left for later
    second.write_text(  # a worker started during the stage: all of it
        "answer POST\t5.000\t0.000\n/healthz\t1.500\t0.000\n/api/verifier\t2.000\t10.000\n"
    )

    found = gunicorn_hooks.summarise(gunicorn_hooks.read_since(tmp_path, since))
    assert found["question GET"] == gunicorn_hooks.Summary(3, 6.0, 6.0, 0.0)
    assert found["answer POST"] == gunicorn_hooks.Summary(2, 4.0, 4.0, 0.0)
    assert found["/healthz"] == gunicorn_hooks.Summary(1, 1.5, 1.5, 0.0)
    assert found["/api/verifier"] == gunicorn_hooks.Summary(1, 12.0, 12.0, 10.0)
    assert gunicorn_hooks.answered_question(found) == 6.0 + 4.0  # the last answer apart
    assert found["last answer POST"].mean == 40.0


def test_the_answered_question_needs_both_requests():
    only_gets = {"question GET": gunicorn_hooks.Summary(3, 6.0, 6.0, 0.0)}
    assert gunicorn_hooks.answered_question(only_gets) is None


def test_the_hook_table_prints_each_type_beside_healthz(capsys):
    requests = [
        gunicorn_hooks.Request("/healthz", 1.0, 0.0),
        gunicorn_hooks.Request("question GET", 6.0, 0.0),
        gunicorn_hooks.Request("answer POST", 4.0, 0.0),
        gunicorn_hooks.Request("last answer POST", 40.0, 0.0),
    ]
    stage = run.Stage("cpu-learner", 5, {}, 0.0, 0.0, requests_cpu=requests)
    bench.hook_table({"learner": stage})
    said = capsys.readouterr().out
    answered = "answered question (question GET + answer POST, last answer apart): 10.00 ms"
    assert f"{answered}, x healthz 10.0" in said
    assert "last answer POST: 40.00 ms, x healthz 40.0" in said
    assert said.index("question GET") < said.index("answer POST") < said.index("/healthz")


def test_the_proc_table_divides_by_the_answers_the_workers_counted(capsys):
    """Locust's CSV misses the last second: the hooks' lines are the requests answered."""
    answered = [
        gunicorn_hooks.Request(name, 1.0, 0.0)
        for name in ("question GET", "answer POST", "answer POST", "last answer POST")
    ]
    csv_rows = {"answer POST": run.Row("answer POST", 1, 0, 0.2, 10, 10, 10)}
    stage = run.Stage("cpu-learner", 5, csv_rows, 0.060, 0.003, requests_cpu=answered)
    bench.cpu_table({"answered question (whole sessions shared out)": stage})
    [line] = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("answered")]
    assert line.split()[-5:] == ["3", "0.6", "20.0", "1.0", "1.0"]
