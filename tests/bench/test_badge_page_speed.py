"""Benchmark: worker CPU per request of the employer's page ``/c/<id>`` before and after its
cache (verification result and QR code), beside ``/healthz`` and a static file, on each engine.

CPU is ``time.process_time`` over N requests through the Flask test client (in-process, so it
counts what a worker spends, database client included). "Before" turns the result cache off
(``JALON_VERIFICATION_CACHE_SIZE=0``) and forgets the QR drawings before each view; a "new
visitor" is counted (one event written), a "reload" is not. The normal suite runs a quick smoke
version; ``make bench`` runs 100 views per case, or ``JALON_BENCH_VIEWS``. Figures are printed,
never asserted (the machine may be busy).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from typing import NamedTuple

import pytest
from flask import Flask
from sqlalchemy import func, select

from badges import issuance, qr
from badges.models import Achievement, VerificationEvent
from tests.badges.factories import make_issuer
from tests.learners.factories import make_learner
from tests.web.forms import login_as
from web.verify import openings

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
ASSET = re.compile(r"""href="(/static/css/jalon\.css\?v=[0-9a-f]+)\"""")


def view_count(config: pytest.Config) -> int:
    if os.environ.get("JALON_BENCH_VIEWS"):
        return int(os.environ["JALON_BENCH_VIEWS"])
    return 100 if "bench" in (config.option.markexpr or "") else 10


def cpu_ms(count: int, request: Callable[[], object]) -> float:
    request()  # warm-up: templates compiled, contexts loaded
    started = time.process_time()
    for _ in range(count):
        request()
    return (time.process_time() - started) * 1000 / count


class TypicalBadge(NamedTuple):
    public_id: str
    signed_json: str
    user_id: int  # the learner's


def issue_typical_badge(app: Flask, award_key: str, *, is_public: bool = False) -> TypicalBadge:
    """A typical badge, issued and committed: the shipped beginner diagnostic's achievement, to
    a new learner, with its status list entry and our issuer's keys in the database (what the
    load benchmark sends)."""
    from web.database import db

    with app.app_context():
        kek = app.config["JALON_KEY_ENCRYPTION_KEY"]
        issuer = make_issuer(db.session, shipped=True, kek=kek)
        achievement = db.session.scalars(
            select(Achievement).where(Achievement.issuer_id == issuer.id).order_by(Achievement.id)
        ).first()
        learner = make_learner(db.session, name="Awa Diallo")
        credential = issuance.issue(
            db.session,
            achievement=achievement,
            learner=learner,
            award_key=award_key,
            base_url=app.config["JALON_BASE_URL"],
            kek=kek,
            is_public=is_public,
        ).credential
        db.session.commit()
        return TypicalBadge(credential.public_id, credential.signed_json, learner.user_id)


@pytest.fixture
def badge(app: Flask) -> tuple[str, int]:
    """A typical public badge (:func:`issue_typical_badge`): its public id and the id of the
    learner's user."""
    issued = issue_typical_badge(app, "bench:page", is_public=True)
    return issued.public_id, issued.user_id


@pytest.mark.bench
def test_badge_page_and_static_file_cpu(app, badge, database_url, request):
    from learners.models import User
    from web.database import db

    public_id, user_id = badge
    path, count = f"/c/{public_id}", view_count(request.config)
    visitor = app.test_client()

    def new_visitor() -> None:
        visitor.delete_cookie(openings.SEEN_COOKIE, path=path)
        assert visitor.get(path, headers=HTML).status_code == 200

    def reload() -> None:
        assert visitor.get(path, headers=HTML).status_code == 200

    def uncached(view: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            qr._svg.cache_clear()
            view()

        return run

    figures: dict[str, float] = {
        "/healthz": cpu_ms(count, lambda: app.test_client().get("/healthz"))
    }
    app.config["JALON_VERIFICATION_CACHE_SIZE"] = 0
    app.extensions.pop(openings.CACHE_EXTENSION, None)
    figures["/c/<id> before, new visitor"] = cpu_ms(count, uncached(new_visitor))
    figures["/c/<id> before, reload"] = cpu_ms(count, uncached(reload))
    app.config["JALON_VERIFICATION_CACHE_SIZE"] = 2048
    app.extensions.pop(openings.CACHE_EXTENSION, None)
    figures["/c/<id> after, new visitor"] = cpu_ms(count, new_visitor)
    figures["/c/<id> after, reload"] = cpu_ms(count, reload)

    asset = ASSET.search(visitor.get(path, headers=HTML).get_data(as_text=True)).group(1)
    figures["static file (hashed URL)"] = cpu_ms(count, lambda: visitor.get(asset))
    signed_in = app.test_client()
    with app.app_context():
        login_as(signed_in, db.session.get(User, user_id))
    figures["static file, signed in"] = cpu_ms(count, lambda: signed_in.get(asset))

    engine = database_url.split(":", 1)[0]
    baseline = figures["/healthz"]
    lines = [f"\n[{engine}] worker CPU per request, {count} requests each (ms, × /healthz):"]
    lines += [f"  {name:<30}{ms:8.2f} ms {ms / baseline:7.1f}×" for name, ms in figures.items()]
    print("\n".join(lines))

    with app.app_context():
        counted = db.session.scalar(select(func.count()).select_from(VerificationEvent))
        hits = openings.result_cache().hits
    assert counted == 2 * (count + 1)  # new visitors only, warm-ups included
    assert hits >= 2 * count
