"""Driving locust and the people the faults need (a trainer, signed-in learners), and reading
what locust measured.

Locust runs in its own process for each stage (it patches the standard library with gevent;
the orchestrator keeps plain threads and processes), writing its statistics as CSV."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.bench.load import gunicorn_hooks
from tests.bench.load.gunicorn_hooks import Request
from tests.bench.load.services import VENV_BIN, Stack, cpu_seconds

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
TIMEOUT = 30
NEW_PASSWORD_SUFFIX = "-charge-2026"
# Locust processes still running (stopped by ``stop_all`` if the run ends early).
RUNNING: list[subprocess.Popen] = []
STARTED = time.monotonic()


@dataclass
class Row:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


@dataclass
class Stage:
    """What one locust run measured, with the CPU the web workers (and their verifying
    children) and PostgreSQL used, from /proc, and each request's as the worker's hooks wrote
    it (``gunicorn_hooks``)."""

    label: str
    seconds: float
    rows: dict[str, Row]
    worker_cpu: float
    postgres_cpu: float
    errors: dict[str, int] = field(default_factory=dict)
    requests_cpu: list[Request] = field(default_factory=list)


def token(page: str) -> str:
    found = TOKEN.search(page)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def sign_in(base_url: str, login: str, secret: str, address: str) -> requests.Session:
    """A browser signing in (a learner's first time: the one-time code, then a password)."""
    client = requests.Session()
    client.headers["X-Forwarded-For"] = address
    page = client.get(f"{base_url}/connexion", timeout=TIMEOUT).text
    data = {"login": login, "password": secret, "csrf_token": token(page)}
    answer = client.post(f"{base_url}/connexion", data=data, timeout=TIMEOUT)
    if "/compte/mot-de-passe" in answer.url:
        new = login + NEW_PASSWORD_SUFFIX
        form = {"current_password": secret, "new_password": new, "confirm": new}
        answer = client.post(
            answer.url, data={**form, "csrf_token": token(answer.text)}, timeout=TIMEOUT
        )
    if answer.status_code != 200 or "/connexion" in answer.url:
        raise RuntimeError(f"{login} could not sign in ({answer.status_code} {answer.url})")
    return client


def sign_in_learners(stack: Stack, plan: dict, count: int) -> None:
    """Each simulated learner's first login with its access code, done before the stages (an
    argon2 check and hash each: not what the stages measure); cookies go into the plan."""

    def one(entry: tuple[int, dict]) -> dict:
        n, learner = entry
        address = f"10.7.{n // 250}.{n % 250 + 1}"
        client = sign_in(stack.base_url, learner["login"], learner["code"], address)
        page = client.get(f"{stack.base_url}/apprenant/", timeout=TIMEOUT).text
        return {
            "login": learner["login"],
            "address": address,
            "cookies": client.cookies.get_dict(),
            "token": token(page),
        }

    with ThreadPoolExecutor(max_workers=stack.workers) as pool:
        plan["people"] = list(pool.map(one, enumerate(plan["learners"][:count])))


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def read_stats(prefix: Path) -> tuple[dict[str, Row], dict[str, int]]:
    rows: dict[str, Row] = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for line in csv.DictReader(handle):
            if line["Name"] == "Aggregated":
                continue
            rows[line["Name"]] = Row(
                line["Name"],
                int(line["Request Count"]),
                int(line["Failure Count"]),
                _number(line["Requests/s"]),
                _number(line["50%"]),
                _number(line["95%"]),
                _number(line["99%"]),
            )
    errors: dict[str, int] = {}
    with open(f"{prefix}_failures.csv", encoding="utf-8") as handle:
        for line in csv.DictReader(handle):
            key = f"{line['Name']}: {line['Error']}"
            errors[key] = errors.get(key, 0) + int(line["Occurrences"])
    return rows, errors


def start_locust(
    stack: Stack,
    plan_file: Path,
    label: str,
    seconds: float,
    *,
    learners=0,
    pages=0,
    apis=0,
    health=0,
    think=False,
    ack: Path | None = None,
    health_only=False,
) -> tuple[subprocess.Popen, Path]:
    classes = [
        name
        for name, n in (
            ("Learner", learners),
            ("EmployerPage", pages),
            ("EmployerApi", apis),
            ("Health", health),
        )
        if n
    ]
    users = learners + pages + apis + health
    prefix = stack.root / f"locust-{label}"
    env = {
        **os.environ,
        "LOAD_PLAN": str(plan_file),
        "LOAD_THINK": "1" if think else "0",
        "LOAD_LEARNERS": str(learners),
        "LOAD_PAGES": str(pages),
        "LOAD_APIS": str(apis),
        "LOAD_HEALTH": str(health),
        "LOAD_HEALTH_ONLY": "1" if health_only else "0",
        "LOAD_ACK": str(ack or ""),
        "PYTHONPATH": str(Path.cwd()),
    }
    argv = [
        str(VENV_BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        stack.base_url,
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds:.0f}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "ERROR",
        *classes,
    ]
    log = open(f"{prefix}.log", "wb")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
    RUNNING.append(process)
    return process, prefix


def finish_locust(process: subprocess.Popen, seconds: float) -> None:
    try:
        process.wait(seconds + 40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
        raise RuntimeError("locust did not stop in time") from None


def stop_all() -> None:
    for process in RUNNING:
        if process.poll() is None:
            process.kill()
            process.wait(5)


def measure(stack: Stack, plan_file: Path, label: str, seconds: float, **users) -> Stage:
    """One locust run while reading the CPU of the web workers (their verifying children
    included) and PostgreSQL's from /proc, and the lines the workers' hooks wrote meanwhile."""
    web, postgres = _cpu_by_pid(stack.web_processes()), stack.postgres.pids()
    before = sum(map(cpu_seconds, postgres))
    written = gunicorn_hooks.offsets(stack.cpu_dir)
    process, prefix = start_locust(stack, plan_file, label, seconds, **users)
    finish_locust(process, seconds)
    # A process started during the stage (a verifier's child replaced) counts from zero.
    web_cpu = sum(
        used - web.get(pid, 0.0) for pid, used in _cpu_by_pid(stack.web_processes()).items()
    )
    postgres_cpu = sum(map(cpu_seconds, postgres)) - before
    requests_cpu = gunicorn_hooks.read_since(stack.cpu_dir, written)
    rows, errors = read_stats(prefix)
    return Stage(label, seconds, rows, web_cpu, postgres_cpu, errors, requests_cpu)


def _cpu_by_pid(pids: list[int]) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in pids}


def write_plan(stack: Stack, plan: dict) -> Path:
    path = stack.root / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def log(message: str) -> None:
    """Progress on standard error, with the seconds since the start (what each part took)."""
    print(f"[{time.monotonic() - STARTED:4.0f} s] {message}", file=sys.stderr, flush=True)
