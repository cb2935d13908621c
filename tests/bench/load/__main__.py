"""``make bench-load``: start the stack, seed it, measure, break things, check, clean up.

Prints to standard output: a table per load stage (20, 50 and 100 users, without and with 1–3 s
of think time); the CPU each request type costs beside ``/healthz``, request by request as the
workers' Gunicorn hooks measure it (``gunicorn_hooks``: the goal's "answered question" and
"last answer POST"), then the workers' whole CPU from /proc over each stage divided by its
requests (Gunicorn's own accepting and parsing included); and one PASS/FAIL line per fault
check; exits 1 if a check failed. ``BENCH_LOAD_QUICK=1``: one small stage of each kind and
shorter faults (a smoke run of about a minute and a half). See docs/DEPLOYMENT.md,
"Measured under load and faults", for how to read it."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

from tests.bench.load import faults, gunicorn_hooks, run
from tests.bench.load.run import Stage
from tests.bench.load.services import VENV_BIN, Stack

QUICK = os.environ.get("BENCH_LOAD_QUICK") == "1"
# The whole run stops (and cleans up) after this many seconds whatever happens. Before that, a
# stage, the CPU table or a fault that would not end in the time left is skipped and said so,
# the faults' time kept aside from the start: the run ends by itself with its tables printed.
DEADLINE = int(os.environ.get("BENCH_LOAD_DEADLINE", 600 if QUICK else 900))
STARTED = time.monotonic()
LEVELS = (20,) if QUICK else (20, 50, 100)
# On a busy machine, 100 users may need longer than this to get past their first question.
STAGE_SECONDS = int(os.environ.get("BENCH_LOAD_STAGE_SECONDS", 10 if QUICK else 25))
CPU_SECONDS = 5 if QUICK else 10
FAULT_SECONDS = 12 if QUICK else 20
# Learners needed at once: 80 % of the largest level, 20 in the faults.
LEARNERS = max(20, round(0.8 * max(LEVELS)))
# The bulk awards go to a pool of learners who never sign in: the award killed mid-way takes
# up to KILL_POOL of them (sized from the measured rate), the one during Redis' stop BULK.
KILL_POOL = 1000
BULK = 30 if QUICK else 60
BADGES = 20 if QUICK else 30
# What each part may take on a busy machine (seconds; measured at a load average of 7 to 12 on
# 2 cores, with a margin): locust's start, its stop (think-time users finish their step) and
# its CSV; a fault's waits. What is left for the stages keeps the CPU table's and the faults'.
STAGE_NEED = STAGE_SECONDS + 15
CPU_NEED = 4 * (CPU_SECONDS + 5)
FAULT_NEEDS = {
    "kill -9 during answers": FAULT_SECONDS + 20,
    "kill -9 during a bulk issuance": 60,
    "PostgreSQL restarted": 2 * FAULT_SECONDS + 30,
    "Redis stopped": FAULT_SECONDS + 45,
}


ORDER = (
    "question GET",
    "answer POST",
    "last answer POST",
    "results GET",
    "start POST",
    "campaign page GET",
    "/c/<id>",
    "/api/verifier",
    "/healthz",
)


def time_left() -> float:
    return DEADLINE - (time.monotonic() - STARTED)


def skip(what: str, need: float, kept: float = 0) -> bool:
    """Whether ``what`` (``need`` seconds at most) must be skipped, ``kept`` seconds being kept
    for what follows; said on standard output."""
    left = time_left()
    if left >= need + kept:
        return False
    kept_aside = f", {kept:.0f} s kept for what follows" if kept else ""
    print(
        f"\n{what}: skipped, {left:.0f} s left before the deadline (BENCH_LOAD_DEADLINE="
        f"{DEADLINE}), it needs up to {need:.0f} s{kept_aside}",
        flush=True,
    )
    return True


def order(name: str) -> tuple[int, str]:
    """Tables list the learners' journey first, then the employers', then the rest."""
    return (ORDER.index(name) if name in ORDER else len(ORDER), name)


def mix(users: int) -> dict[str, int]:
    """80 % learners, the rest employers (pages and API), plus one /healthz probe."""
    learners = round(0.8 * users)
    pages = max(1, round(0.1 * users))
    return {"learners": learners, "pages": pages, "apis": users - learners - pages, "health": 1}


def hook_table(stages: dict[str, Stage]) -> None:
    """Each request type's CPU as the workers' hooks measured it, beside /healthz's."""
    found = gunicorn_hooks.summarise([r for stage in stages.values() for r in stage.requests_cpu])
    print(
        "\nCPU per request type, request by request: the worker's time.process_time() around"
        " each one (Gunicorn's pre_request and post_request hooks, sync workers: one request at"
        " a time), its verifying children's CPU added (/proc); Gunicorn's accepting and parsing"
        " the request, before the hook, is not in it (the /proc table below has it)"
    )
    print(
        f"{'request':<26}{'count':>7}{'mean ms':>9}{'median ms':>11}{'x healthz':>11}"
        f"{'children ms':>13}"
    )
    base = found["/healthz"].mean if found.get("/healthz") else 0.0

    def times(ms: float) -> str:
        return f"{ms / base:.1f}" if base else "-"

    for name in sorted(found, key=order):
        row = found[name]
        print(
            f"{name:<26}{row.count:>7}{row.mean:>9.2f}{row.median:>11.2f}{times(row.mean):>11}"
            f"{row.children_mean:>13.2f}"
        )
    answered = gunicorn_hooks.answered_question(found)
    if answered is not None:
        print(
            "answered question (question GET + answer POST, last answer apart): "
            f"{answered:.2f} ms, x healthz {times(answered)}"
        )
    if "last answer POST" in found:
        last = found["last answer POST"].mean
        print(f"last answer POST: {last:.2f} ms, x healthz {times(last)}")


def cpu_table(stages: dict[str, Stage]) -> None:
    """The workers' whole CPU over each stage (/proc) divided by the requests they answered in
    it, as their hooks counted them: locust's CSV is rewritten once a second and not at the
    end, so it misses the last second's requests (a fifth of a 5 s stage)."""
    print(
        "\nCPU per request from /proc: web workers' CPU, their verifying children's included,"
        " divided by the requests they answered (Gunicorn's accepting and parsing each request"
        " included)"
    )
    print(f"each kind alone for {CPU_SECONDS} s with 3 clients and no think time")
    print(
        f"{'request':<44}{'requests':>9}{'req/s':>8}{'worker ms':>11}{'x healthz':>11}{'PG ms':>8}"
    )
    base = None
    for label, stage in stages.items():
        names = ("answer POST", "last answer POST") if label.startswith("answered") else None
        count = sum(1 for r in stage.requests_cpu if names is None or r.name in names)
        if not count:
            print(f"{label:<44}{'no request':>9}")
            continue
        worker, postgres = 1000 * stage.worker_cpu / count, 1000 * stage.postgres_cpu / count
        base = base or worker
        print(
            f"{label:<44}{count:>9}{count / stage.seconds:>8.1f}{worker:>11.1f}"
            f"{worker / base:>11.1f}{postgres:>8.1f}"
        )


def stage_table(stage: Stage, users: int, think: bool) -> None:
    share = mix(users)
    print(
        f"\n{users} users ({share['learners']} learners, {share['pages']} on /c/<id>, "
        f"{share['apis']} on /api/verifier, + a /healthz probe), "
        f"{'1–3 s think time' if think else 'no think time'}, {stage.seconds:.0f} s: "
        f"web workers {100 * stage.worker_cpu / stage.seconds:.0f} % of a core, "
        f"PostgreSQL {100 * stage.postgres_cpu / stage.seconds:.0f} %"
    )
    print(
        f"{'request':<22}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'errors':>8}"
    )
    for name in sorted(stage.rows, key=order):
        r = stage.rows[name]
        print(
            f"{name:<22}{r.requests:>9}{r.rps:>8.1f}{r.p50:>8.0f}{r.p95:>8.0f}{r.p99:>8.0f}"
            f"{r.failures:>8}"
        )
    for error, count in stage.errors.items():
        print(f"  error: {error} ×{count}")


def load_average() -> str:
    return open("/proc/loadavg", encoding="ascii").read().split()[0]


def busy(load: str) -> str:
    cores = os.cpu_count() or 1
    return (
        f" (above {cores} cores: other work shared the machine, figures are slower than Jalon)"
        if float(load) > cores
        else ""
    )


def measure_cpu(stack: Stack, plan_file: Path) -> dict[str, Stage]:
    return {
        "/healthz": run.measure(
            stack, plan_file, "cpu-health", CPU_SECONDS, health=3, health_only=True
        ),
        "answered question (whole sessions shared out)": run.measure(
            stack, plan_file, "cpu-learner", CPU_SECONDS, learners=3
        ),
        "/c/<id>": run.measure(stack, plan_file, "cpu-page", CPU_SECONDS, pages=3),
        "/api/verifier": run.measure(stack, plan_file, "cpu-api", CPU_SECONDS, apis=3),
    }


def main(stack: Stack) -> int:
    started, load_before = time.monotonic(), load_average()
    run.log(f"bench-load: stack in {stack.root} (PostgreSQL, Redis, {stack.workers} workers)")
    stack.start_services()
    stack.run_app_command(str(VENV_BIN / "jalon"), "db", "upgrade")
    plan_seed = stack.root / "seed.json"
    run.log("  seeding (CRCN bank, campaign, learners with access codes, issued badges)…")
    stack.run_app_command(
        str(VENV_BIN / "python"),
        "-m",
        "tests.bench.load.seed",
        str(plan_seed),
        str(LEARNERS),
        str(KILL_POOL + BULK),
        str(BADGES),
    )
    stack.start_app()
    plan = json.loads(plan_seed.read_text())
    run.log(f"  {LEARNERS} learners sign in with their access code and choose a password…")
    run.sign_in_learners(stack, plan, LEARNERS)
    plan_file = run.write_plan(stack, plan)

    print(
        f"Jalon under load: Gunicorn with {stack.workers} workers on {os.cpu_count()} cores, "
        "its own PostgreSQL and Redis, jobs on RQ; locust on the same machine"
        f"{' (BENCH_LOAD_QUICK)' if QUICK else ''}; machine load average (1 min) at the start "
        f"{load_before}{busy(load_before)}",
        flush=True,
    )
    faults_need = sum(FAULT_NEEDS.values())
    for think in (False, True):
        for users in LEVELS:
            label = f"{users}-{'think' if think else 'nothink'}"
            if skip(f"Stage {label}", STAGE_NEED, CPU_NEED + faults_need):
                continue
            run.log(f"  stage {label}…")
            stage = run.measure(stack, plan_file, label, STAGE_SECONDS, think=think, **mix(users))
            stage_table(stage, users, think)
    if not skip("CPU per request", CPU_NEED, faults_need):
        run.log("  CPU per request type (caches warm after the stages)…")
        measured = measure_cpu(stack, plan_file)
        hook_table(measured)
        cpu_table(measured)
    print("\nFaults", flush=True)
    pool = plan["pool"]
    checks = []
    for name, fault in (
        (
            "kill -9 during answers",
            lambda: faults.kill_worker_during_answers(stack, plan_file, FAULT_SECONDS),
        ),
        (
            "kill -9 during a bulk issuance",
            lambda: faults.kill_during_bulk_issuance(
                stack, plan, faults.Trainer(stack, plan), pool[:KILL_POOL]
            ),
        ),
        (
            "PostgreSQL restarted",
            lambda: faults.restart_postgres(stack, plan_file, plan, FAULT_SECONDS),
        ),
        (
            "Redis stopped",
            lambda: faults.stop_redis(
                stack,
                plan_file,
                plan,
                faults.Trainer(stack, plan),
                pool[KILL_POOL:],
                FAULT_SECONDS,
            ),
        ),
    ):
        faults_need -= FAULT_NEEDS[name]
        if skip(f"Fault « {name} »", FAULT_NEEDS[name]):
            checks.append(faults.Check(name, "ran", False, "skipped: too little time left"))
            print(checks[-1].line(), flush=True)
            continue
        run.log(f"  fault: {name}…")
        try:
            found = fault()
        except Exception as error:  # a fault that breaks the harness is a failed check too
            found = [faults.Check(name, "ran to the end", False, repr(error)[:300])]
        for check in found:
            print(check.line(), flush=True)
        checks += found
    end = load_average()
    print(
        f"\n{sum(c.ok for c in checks)}/{len(checks)} checks passed; "
        f"{time.monotonic() - started:.0f} s in all; load average at the end {end}{busy(end)}"
    )
    return 0 if all(c.ok for c in checks) else 1


def _stop(signum, _frame):
    if signum == signal.SIGALRM:
        print(f"\nStopped at the deadline, {DEADLINE} s (BENCH_LOAD_DEADLINE)", flush=True)
    raise SystemExit(f"bench-load stopped by signal {signum}")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # each table as soon as it is measured
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGALRM, _stop)
    signal.alarm(DEADLINE)
    bench = Stack(workers=(os.cpu_count() or 1) + 1)
    try:
        code = main(bench)
    finally:
        signal.alarm(0)
        run.stop_all()
        bench.close()
    sys.exit(code)
