"""In real Chromium: the badges of a finished tour cannot be issued (a locked database), the
results page says so plainly and offers « Réessayer »; once issuance works again, pressing it
issues the badges. axe-core finds no serious or critical violation on either page."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy.exc import OperationalError

from badges import awarding
from tests.e2e.journey_steps import take_tour

TOUR_CODE = "TYPE-PA33"
PASSWORD = "badges en attente 2026"
_numbers = itertools.count(1)


@pytest.fixture
def learner(journey_server) -> str:
    """A fresh learner of the Passerelle association (the demo accounts stay untouched)."""
    from sqlalchemy import select

    from learners import accounts, demo
    from learners.models import Organisation, Role
    from web.database import db

    login = f"attente{next(_numbers)}"
    with journey_server.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == demo.PASSERELLE[0]))
        accounts.create_user(
            db.session,
            display_name="Awa Attente",
            password=PASSWORD,
            username=login,
            memberships=((org, Role.LEARNER),),
        )
        db.session.commit()
    return login


def test_pending_badges_are_announced_and_reessayer_issues_them(
    journey_server, learner, page, login, assert_accessible, monkeypatch
):
    def locked(*_args, **_kwargs):
        raise OperationalError("INSERT INTO credentials", {}, Exception("database is locked"))

    monkeypatch.setattr(awarding.issuance, "issue", locked)
    monkeypatch.setattr(awarding, "RETRY_DELAYS", (0, 0))
    login(page, learner, PASSWORD)
    take_tour(page, journey_server, TOUR_CODE, lambda *_: None)

    pending = page.get_by_role("heading", name="Vos badges ne sont pas encore prêts")
    expect(pending).to_be_visible()
    expect(page.get_by_role("heading", name="Ce que vous savez faire")).to_be_visible()
    assert_accessible(page)
    results = page.url
    page.goto(results + "?lang=en")
    expect(page.get_by_role("heading", name="Your badges are not ready yet")).to_be_visible()
    assert_accessible(page)
    page.goto(results + "?lang=fr")

    monkeypatch.undo()
    page.get_by_role("button", name="Réessayer").click()
    expect(page).to_have_url(re.compile(r"/resultats$"))
    # Issuing signs each credential: on a loaded machine that takes more than the default wait.
    # At least the tour's two badges (a badge designed by another test on the shared server may
    # also be earned).
    earned = page.get_by_role("heading", name=re.compile(r"Vous avez gagné [2-9] badges"))
    expect(earned).to_be_visible(timeout=20_000)
    expect(page.get_by_role("button", name="Réessayer")).to_have_count(0)
    assert_accessible(page)
