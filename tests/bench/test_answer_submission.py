"""Benchmark: server time and CPU per answer submission (POST …/reponse: check the answer,
update the ability, pick the next item, and on the last answer score the session and issue its
badges) through the Flask test client, in adaptive CRCN sessions, on SQLite and — when
``JALON_TEST_POSTGRES_URL`` is set — PostgreSQL. The GET of the next question is timed apart.
CPU is the thread's (``time.thread_time``: the test client runs the app in the calling thread),
so a busy machine inflates wall times but hardly CPU; SQL statements per request are counted.

The normal suite runs a quick smoke version (40 answers); ``make bench`` (``-m bench``) runs
200, or ``JALON_BENCH_ANSWERS``. Figures are printed, never asserted (the machine may be busy).
"""

from __future__ import annotations

import os
import random
import re
import statistics
import time

import pytest
from sqlalchemy import func, select

from assessments import campaigns, checking, content_io
from assessments.models import (
    AnswerStatus,
    AssessmentMode,
    AssessmentSession,
    Framework,
    Item,
    Response,
)
from badges import issuers
from badges.models import Credential
from badges.shipped import install_achievement, shipped_achievements
from tests.assessments.factories import form_fields
from tests.learners.factories import make_learner, make_organisation
from tests.web.forms import login_as
from tests.web.statements import count_statements

CODE = "CRCN-BNCH"
ITEM_ID = re.compile(r'name="item_id" value="(\d+)"')
SESSION_URL = re.compile(r"/apprenant/evaluations/(\d+)$")


def answer_count(config: pytest.Config) -> int:
    if os.environ.get("JALON_BENCH_ANSWERS"):
        return int(os.environ["JALON_BENCH_ANSWERS"])
    return 200 if "bench" in (config.option.markexpr or "") else 40


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@pytest.fixture
def crcn(app):
    """The shipped CRCN framework and bank, an adaptive campaign, the CRCN badges, a learner."""
    from web.database import db

    with app.app_context():
        root = content_io.CONTENT_DIR
        content_io.import_paths(
            db.session, [root / "frameworks" / "crcn.json", root / "items" / "crcn"]
        )
        framework = db.session.scalar(select(Framework).where(Framework.slug == "crcn"))
        org = make_organisation(db.session, "Association Banc d'essai")
        assessment = campaigns.create_assessment(
            db.session,
            framework,
            "Compétences numériques (CRCN)",
            mode=AssessmentMode.ADAPTIVE,
            min_items=16,
            max_items=32,
            organisation_id=org.id,
        )
        campaigns.create_campaign(db.session, assessment, org.id, "Banc d'essai", code=CODE)
        issuer = issuers.create(db.session, org, app.config["JALON_KEY_ENCRYPTION_KEY"])
        for entry in shipped_achievements():
            if entry["framework"] == "crcn":
                install_achievement(db.session, issuer, entry)
        user = make_learner(db.session, org, login="banc").user
        db.session.commit()
        client = app.test_client()
        login_as(client, user)
    app.config["WTF_CSRF_ENABLED"] = False  # the token is not what is measured
    return client


@pytest.mark.bench
def test_answer_submission_time(app, crcn, database_url, request):
    from web.database import db

    client, wanted = crcn, answer_count(request.config)
    chance = random.Random(2026)
    post_ms: list[float] = []
    last_ms: list[float] = []  # the session's last answer: scoring and badges too
    get_ms: list[float] = []
    cpu_ms: list[float] = []  # per answered question: its GET and its POST
    last_cpu_ms: list[float] = []
    get_sql: list[int] = []
    post_sql: list[int] = []
    sessions_done = 0
    url = None
    while len(post_ms) < wanted:
        if url is None:
            joined = client.post("/apprenant/rejoindre", data={"code": CODE})
            assert joined.status_code == 303, joined.get_data(as_text=True)[:500]
            url = SESSION_URL.search(joined.headers["Location"]).group(0)
        with app.app_context():
            engine = db.engine
        started, cpu = time.perf_counter(), time.thread_time()
        with count_statements(engine) as statements:
            page = client.get(url)
        get_ms.append((time.perf_counter() - started) * 1000)
        get_cpu = (time.thread_time() - cpu) * 1000
        get_sql.append(len(statements))
        assert page.status_code == 200
        item_id = int(ITEM_ID.search(page.get_data(as_text=True)).group(1))
        with app.app_context():
            item = db.session.get(Item, item_id)
            right = chance.random() < 0.6
            fields = form_fields(item, checking.example_right_response(item)) if right else {}
        data = {"item_id": str(item_id), "intent": "answer" if right else "skip", **fields}
        started, cpu = time.perf_counter(), time.thread_time()
        with count_statements(engine) as statements:
            response = client.post(f"{url}/reponse", data=data)
        post_ms.append((time.perf_counter() - started) * 1000)
        cpu_ms.append(get_cpu + (time.thread_time() - cpu) * 1000)
        assert response.status_code == 303
        if response.headers["Location"].endswith("/resultats"):
            last_ms.append(post_ms[-1])
            last_cpu_ms.append(cpu_ms.pop())
            sessions_done += 1
            url = None
        else:
            post_sql.append(len(statements))

    engine = database_url.split(":", 1)[0]
    finishing = (
        f"; a session's last answer (scoring, badges) median {statistics.median(last_ms):.1f} ms, "
        f"CPU median {statistics.median(last_cpu_ms):.1f} ms"
        if last_ms
        else ""
    )
    print(
        f"\n[{engine}] {len(post_ms)} answer submissions in {sessions_done} finished adaptive "
        f"CRCN sessions: POST median {statistics.median(post_ms):.1f} ms, "
        f"p95 {percentile(post_ms, 0.95):.1f} ms, max {max(post_ms):.1f} ms; "
        f"next question GET median {statistics.median(get_ms):.1f} ms, "
        f"p95 {percentile(get_ms, 0.95):.1f} ms{finishing}\n"
        f"[{engine}] worker CPU per answered question (GET + POST, last answers apart): "
        f"median {statistics.median(cpu_ms):.1f} ms, p95 {percentile(cpu_ms, 0.95):.1f} ms; "
        f"SQL statements per question GET median {statistics.median(get_sql):.0f} "
        f"(max {max(get_sql)}), per answer POST median {statistics.median(post_sql):.0f} "
        f"(max {max(post_sql)})"
    )
    with app.app_context():
        recorded = db.session.scalar(
            select(func.count()).select_from(Response).where(Response.status.is_not(None))
        )
        finished = db.session.scalar(
            select(func.count())
            .select_from(AssessmentSession)
            .where(AssessmentSession.finished_at.is_not(None))
        )
        right = db.session.scalar(
            select(func.count()).select_from(Response).where(Response.status == AnswerStatus.OK)
        )
        badges = db.session.scalar(select(func.count()).select_from(Credential))
    assert recorded == len(post_ms)  # every submission counted once
    assert finished == sessions_done
    assert 0 < right < recorded
    assert (badges > 0) == (sessions_done > 0)  # finishing issues the completion badge
