"""Faults with real processes, each checked in the database afterwards and printed as PASS or
FAIL: a Gunicorn worker killed (-9) during answers and during a bulk issuance (the queue
worker's work-horse killed with it), PostgreSQL restarted mid-run, Redis stopped mid-run."""

from __future__ import annotations

import json
import math
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import requests

from tests.bench.load import run
from tests.bench.load.services import Stack, children, http_status, wait_until


@dataclass
class Check:
    fault: str
    what: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        return f"{'PASS' if self.ok else 'FAIL'}  {self.fault}: {self.what}" + (
            f" ({self.detail})" if self.detail else ""
        )


def _sql(stack: Stack, query: str, *args) -> list[tuple]:
    url = f"postgresql://postgres@127.0.0.1:{stack.postgres.port}/jalon"
    with psycopg.connect(url, connect_timeout=10) as connection:
        return connection.execute(query, args).fetchall()


def integrity(stack: Stack, fault: str, ack: Path | None) -> list[Check]:
    """What must hold after any fault: every acknowledged answer stored once, no credential
    twice, no status index given twice."""
    checks = []
    if ack is not None:
        lines = ack.read_text().split("\n") if ack.exists() else []
        acked = {tuple(map(int, line.split())) for line in lines if line}
        stored = set(
            _sql(stack, "SELECT session_id, item_id FROM responses WHERE status IS NOT NULL")
        )
        lost = acked - stored
        checks.append(
            Check(
                fault,
                "no lost answer",
                not lost and bool(acked),
                f"{len(acked)} answers acknowledged, {len(lost)} missing",
            )
        )
    twice = _sql(
        stack,
        "SELECT count(*) FROM (SELECT session_id, item_id FROM responses "
        "GROUP BY session_id, item_id HAVING count(*) > 1) AS d",
    )[0][0]
    checks.append(Check(fault, "no answer recorded twice", twice == 0, f"{twice} twice"))
    doubles = _sql(
        stack,
        "SELECT count(*) FROM (SELECT learner_id, achievement_id FROM credentials "
        "WHERE revoked_at IS NULL AND award_key NOT LIKE 'session:%%' "
        "GROUP BY learner_id, achievement_id HAVING count(*) > 1) AS d",
    )[0][0]
    keys = _sql(
        stack,
        "SELECT count(*) FROM (SELECT award_key FROM credentials "
        "GROUP BY award_key HAVING count(*) > 1) AS d",
    )[0][0]
    total = _sql(stack, "SELECT count(*) FROM credentials")[0][0]
    checks.append(
        Check(
            fault,
            "no duplicate credential",
            doubles == 0 and keys == 0,
            f"{total} credentials, {doubles + keys} duplicated",
        )
    )
    indexes = _sql(
        stack,
        "SELECT count(*) FROM (SELECT status_list_id, status_index FROM "
        "credentials GROUP BY 1, 2 HAVING count(*) > 1) AS d",
    )[0][0]
    checks.append(Check(fault, "no status index given twice", indexes == 0, f"{indexes} twice"))
    return checks


def kill_worker_during_answers(stack: Stack, plan_file: Path, seconds: float) -> list[Check]:
    fault = "kill -9 a Gunicorn worker during answers"
    ack = stack.root / "ack-kill.txt"
    process, prefix = run.start_locust(
        stack, plan_file, "fault-kill", seconds, learners=20, ack=ack
    )
    time.sleep(seconds / 3)
    victim = stack.web_workers()[0]
    os.kill(victim, signal.SIGKILL)
    run.log(f"  killed Gunicorn worker {victim}")
    run.finish_locust(process, seconds)
    respawned = wait_until(lambda: len(stack.web_workers()) == stack.workers, 30)
    rows, _errors = run.read_stats(prefix)
    answered = sum(r.requests - r.failures for n, r in rows.items() if "answer" in n)
    failed = sum(r.failures for r in rows.values())
    return [
        Check(
            fault, "Gunicorn replaced the worker", respawned and victim not in stack.web_workers()
        ),
        Check(
            fault,
            "learners went on answering",
            answered > 0,
            f"{answered} answers, {failed} requests failed around the kill",
        ),
        *integrity(stack, fault, ack),
    ]


class Trainer:
    """The trainer's browser: a bulk award from the studio, its job's progress."""

    def __init__(self, stack: Stack, plan: dict) -> None:
        self.stack, self.plan = stack, plan
        trainer = plan["trainer"]
        self.client = run.sign_in(stack.base_url, trainer["login"], trainer["password"], "10.6.0.1")
        org, badge = plan["organisation_id"], plan["bulk_achievement"]
        self.page = f"{stack.base_url}/organisations/{org}/badges/{badge}/attribuer-en-lot"

    def bulk_award(self, logins: list[str]) -> str:
        """Start the award of the bulk badge to ``logins``; the job's public id."""
        rows = [{"line": n, "login": login, "narrative": ""} for n, login in enumerate(logins, 1)]
        csrf = run.token(self.client.get(self.page, timeout=run.TIMEOUT).text)
        sent = self.client.post(
            f"{self.page}/lancer",
            data={"rows": json.dumps(rows), "csrf_token": csrf},
            allow_redirects=False,
            timeout=run.TIMEOUT,
        )
        if sent.status_code != 303:
            raise RuntimeError(f"bulk award refused: {sent.status_code}")
        return sent.headers["Location"].rstrip("/").rsplit("/", 1)[1]

    def job(self, job_id: str) -> dict:
        try:
            answer = self.client.get(f"{self.stack.base_url}/taches/{job_id}", timeout=10)
            return answer.json() if answer.status_code == 200 else {}
        except (requests.RequestException, ValueError):
            return {}

    def wait_done(self, job_id: str, timeout: float) -> dict:
        wait_until(lambda: self.job(job_id).get("status") in ("done", "failed"), timeout, 0.5)
        return self.job(job_id)


def _holding(stack: Stack, plan: dict, logins: list[str]) -> int:
    """How many of ``logins`` hold the bulk badge."""
    return _sql(
        stack,
        "SELECT count(DISTINCT c.learner_id) FROM credentials c "
        "JOIN achievements a ON a.id = c.achievement_id "
        "JOIN learners l ON l.id = c.learner_id JOIN users u ON u.id = l.user_id "
        "WHERE a.public_id = %s AND u.username = ANY(%s)",
        plan["bulk_achievement"],
        logins,
    )[0][0]


# The killed job is sized to last about this long (seconds) at the rate measured just before:
# its page shows progress every half second (learners.jobs.PROGRESS_INTERVAL), so it is seen
# mid-way whatever the machine's speed.
KILLED_JOB_SECONDS = 3.0
# Learners of the award that measures the rate (two parts of bulk_awards.MIN_BATCH_ROWS).
RATE_ROWS = 50


def issuance_rate(stack: Stack, trainer: Trainer, logins: list[str]) -> float:
    """Badges per second of a bulk award to ``logins``, from its job's start to its end (the
    review of the file included: a little slower than the issuance alone)."""
    job_id = trainer.bulk_award(logins)
    finished = trainer.wait_done(job_id, 120)
    awarded = (finished.get("result") or {}).get("awarded") or 0
    seconds = _sql(
        stack,
        "SELECT extract(epoch FROM finished_at - started_at) FROM jobs WHERE public_id = %s",
        job_id,
    )[0][0]
    if finished.get("status") != "done" or not awarded or not seconds:
        raise RuntimeError(f"the award that measures the rate did not finish: {finished}")
    return awarded / float(seconds)


def killed_job_size(rate: float, available: int) -> int:
    """Learners in the award to kill: about KILLED_JOB_SECONDS of work at ``rate`` badges per
    second, at least 100, at most ``available``."""
    return min(available, max(100, math.ceil(rate * KILLED_JOB_SECONDS)))


def seen_mid_way(trainer: Trainer, job_id: str, total: int, timeout: float = 120) -> dict:
    """The job as its page polls it, as soon as it shows ≥ 1 badge done and < ``total`` (or
    once finished, or at the timeout: then the kill comes too late)."""
    deadline = time.monotonic() + timeout
    seen: dict = {}
    while time.monotonic() < deadline:
        seen = trainer.job(job_id) or seen
        if seen.get("finished") or 0 < seen.get("done", 0) < total:
            break
        time.sleep(0.02)
    return seen


def kill_during_bulk_issuance(
    stack: Stack, plan: dict, trainer: Trainer, pool: list[str]
) -> list[Check]:
    """The queue worker's work-horse (the process RQ forked to run the job, where the badges
    are issued) and a Gunicorn worker killed (-9) as soon as the job's page shows it mid-way;
    then RQ goes on with the queue, and the trainer starts the award again, as the page tells
    them. The job is sized from the rate of an award measured just before, so that it is
    killed mid-way on a fast machine as on a slow one."""
    fault = "kill -9 during a bulk issuance"
    rate = issuance_rate(stack, trainer, pool[:RATE_ROWS])
    size = killed_job_size(rate, len(pool) - RATE_ROWS)
    logins = pool[RATE_ROWS : RATE_ROWS + size]
    job_id = trainer.bulk_award(logins)
    seen = seen_mid_way(trainer, job_id, size)
    mid_way = not seen.get("finished") and 0 < seen.get("done", 0) < size
    horses = []
    if mid_way:
        horses = children(stack.worker.pid)
        for pid in [*horses, stack.web_workers()[-1]]:
            os.kill(pid, signal.SIGKILL)
    before = _holding(stack, plan, logins)
    run.log(
        f"  {rate:.0f} badges/s: killed work-horse {horses} and a Gunicorn worker when the "
        f"page showed {seen.get('done')}/{size}; {before} issued"
    )
    wait_until(lambda: len(stack.web_workers()) == stack.workers, 30)
    told = wait_until(lambda: trainer.job(job_id).get("status") == "failed", 30, 0.5)
    said = trainer.job(job_id).get("error") or ""
    rerun = trainer.bulk_award(logins)
    finished = trainer.wait_done(rerun, 120)
    after = _holding(stack, plan, logins)
    result = finished.get("result") or {}
    again = sum(1 for r in result.get("rows", []) if r.get("status") == "already_holds")
    awarded = result.get("awarded") or 0
    return [
        Check(
            fault,
            "the job was running when killed",
            bool(horses) and 0 < before < size,
            f"{rate:.0f} badges/s measured, a job of {size}: its page showed "
            f"{seen.get('done')}, {before} issued when killed",
        ),
        Check(fault, "the queue worker lived on", stack.worker.alive()),
        Check(
            fault,
            "the job's page says it was interrupted, to start again",
            told and "relancez" in said,
            said,
        ),
        Check(
            fault,
            "started again, every learner holds the badge once",
            finished.get("status") == "done" and after == size,
            f"{after} of {size} hold it",
        ),
        Check(
            fault,
            "the second run skipped those already holding it",
            again >= before and again + awarded == size,
            f"{again} skipped, {awarded} issued by the second run",
        ),
        *integrity(stack, fault, None),
    ]


def restart_postgres(stack: Stack, plan_file: Path, plan: dict, seconds: float) -> list[Check]:
    fault = "PostgreSQL restarted mid-run"
    ack = stack.root / "ack-postgres.txt"
    # Longer than the others: learners must answer again after the restart.
    seconds = 2 * seconds
    process, prefix = run.start_locust(
        stack, plan_file, "fault-postgres", seconds, learners=15, pages=3, apis=2, ack=ack
    )
    time.sleep(seconds / 5)
    person = plan["people"][-1]
    probe = requests.Session()
    probe.cookies.update(person["cookies"])
    probe.headers["X-Forwarded-For"] = person["address"]
    stack.postgres.stop("fast")
    down_at = time.monotonic()
    page = probe.get(f"{stack.base_url}/apprenant/", timeout=run.TIMEOUT)
    api = requests.post(
        f"{stack.base_url}/api/verifier",
        data=plan["credentials"][0]["json"],
        headers={"Content-Type": "application/json"},
        timeout=run.TIMEOUT,
    )
    health = http_status(f"{stack.base_url}/healthz")
    time.sleep(3)
    stack.postgres.start()
    up_at = time.monotonic()
    recovered = wait_until(
        lambda: probe.get(f"{stack.base_url}/apprenant/", timeout=10).status_code == 200, 60
    )
    recovery = time.monotonic() - up_at
    run.finish_locust(process, seconds)
    _rows, errors = run.read_stats(prefix)
    server_errors = sum(n for key, n in errors.items() if "HTTP 500" in key)
    french = page.status_code == 503 and "Service momentanément indisponible" in page.text
    problem = api.status_code == 503 and api.headers.get("Content-Type", "").startswith(
        "application/problem+json"
    )
    return [
        Check(
            fault,
            "a page answers a French 503 while it is down",
            french,
            f"{page.status_code}, Retry-After {page.headers.get('Retry-After')}",
        ),
        Check(fault, "the API answers a problem+json 503", problem, str(api.status_code)),
        Check(fault, "/healthz answers 503", health == 503, str(health)),
        Check(
            fault,
            "serves again by itself",
            recovered,
            f"down {up_at - down_at:.1f} s, pages back {recovery:.1f} s after the restart",
        ),
        Check(
            fault,
            "no 500 during the run",
            server_errors == 0,
            ", ".join(f"{k} ×{n}" for k, n in errors.items()) or "no failed request",
        ),
        *integrity(stack, fault, ack),
    ]


def stop_redis(
    stack: Stack, plan_file: Path, plan: dict, trainer: Trainer, logins: list[str], seconds: float
) -> list[Check]:
    fault = "Redis stopped mid-run"
    ack = stack.root / "ack-redis.txt"
    process, prefix = run.start_locust(
        stack, plan_file, "fault-redis", seconds, learners=15, pages=3, apis=2, ack=ack
    )
    time.sleep(seconds / 4)
    stack.redis.stop()
    half = len(logins) // 2
    during = trainer.bulk_award(logins[:half])
    during_done = trainer.wait_done(during, 60)
    try:
        run.sign_in(
            stack.base_url, plan["trainer"]["login"], plan["trainer"]["password"], "10.6.0.2"
        )
        signed_in = True
    except (RuntimeError, requests.RequestException):
        signed_in = False
    run.finish_locust(process, seconds)
    rows, errors = run.read_stats(prefix)
    stack.redis.start()
    after = trainer.bulk_award(logins[half:])
    after_done = trainer.wait_done(after, 60)
    ran_in_thread = "runs in a thread" in (stack.root / "gunicorn.log").read_text(errors="replace")
    failed = sum(r.failures for r in rows.values())
    return [
        Check(
            fault,
            "learners and employers kept being served",
            failed == 0,
            ", ".join(f"{k} ×{n}" for k, n in errors.items())
            or f"{sum(r.requests for r in rows.values())} requests, none failed",
        ),
        Check(fault, "sign-in still works (rate limits counted in memory)", signed_in),
        Check(
            fault,
            "a job started meanwhile ran in the web worker's thread",
            during_done.get("status") == "done" and ran_in_thread,
            f"{(during_done.get('result') or {}).get('awarded')} badges issued",
        ),
        Check(
            fault,
            "Redis back: the queue worker runs jobs again",
            after_done.get("status") == "done" and stack.worker.alive(),
            f"{(after_done.get('result') or {}).get('awarded')} badges issued",
        ),
        *integrity(stack, fault, ack),
    ]
