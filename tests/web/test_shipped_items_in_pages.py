"""Every shipped item renders in the learner's page and its key, posted as a browser would post
it, is marked right: the content and the pages agree, item by item.

The sweep over every item runs on SQLite: what it checks (the content, the templates, the
checking code) does not depend on the engine, and the answer path itself runs on PostgreSQL too
(the whole beginner bank below, and every other journey test)."""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import select

from assessments import campaigns, checking, content_io
from assessments.models import AnswerStatus, AssessmentMode, Competence, Framework, Item, Response
from learners.models import Organisation
from tests.assessments.factories import form_fields
from tests.conftest import BACKENDS
from tests.web.forms import text
from tests.web.page_languages import language_of
from tests.web.test_learner_journey import current, post_answer, session_id_of, start

SHIPPED = (
    "crcn",
    "premiers-pas",
    "dev-web",
    "fibre-optique",
    "data-analyste",
    "systemes-reseaux",
    "mediation-numerique",
    "assistant-digital",
    "datacenter-cloud",
    "anglais-numerique",
    "anglais-dev-data",
    "anglais-telecoms",
    "anglais-mediation",
)


def _campaign_over_every_item(db_session, organisation: Organisation, slug: str) -> tuple[str, int]:
    root = content_io.CONTENT_DIR
    content_io.import_paths(
        db_session, [root / "frameworks" / f"{slug}.json", root / "items" / slug]
    )
    framework = db_session.scalar(select(Framework).where(Framework.slug == slug))
    uids = list(
        db_session.scalars(
            select(Item.uid)
            .join(Competence)
            .where(Competence.framework_id == framework.id)
            .order_by(Item.id)
        )
    )
    assessment = campaigns.create_assessment(
        db_session,
        framework,
        f"Tous les items : {slug}",
        mode=AssessmentMode.FIXED,
        item_uids=uids,
        min_items=len(uids),
        max_items=len(uids),
        organisation_id=organisation.id,
    )
    code = f"ALL-{slug[:4].upper()}"
    campaigns.create_campaign(db_session, assessment, organisation.id, "Tout", code=code)
    return code, len(uids)


ON_POSTGRESQL = [backend for backend in BACKENDS if backend != "sqlite"]


@pytest.mark.parametrize(
    ("database_url", "slug"),
    [("sqlite", slug) for slug in SHIPPED]
    + [(backend, "premiers-pas") for backend in ON_POSTGRESQL],
    indirect=["database_url"],
)
def test_every_shipped_item_renders_and_its_key_is_right_through_the_page(
    app, world, client_as, slug
):
    from web.database import db

    with app.app_context():
        organisation = db.session.get(Organisation, world.org_a)
        code, count = _campaign_over_every_item(db.session, organisation, slug)
        db.session.commit()

    client = client_as("learner")
    url = start(client, code)
    for number in range(1, count + 1):
        page = client.get(url)
        assert page.status_code == 200
        item = current(app, url)
        shown = text(page)
        assert f"Question {number} sur {count}" in shown, item.uid
        first_line = item.instruction.split("\n")[0]
        assert first_line in shown, item.uid
        # Shown as text, never as markup (HTML and code samples in trade items).
        html = page.get_data(as_text=True)
        assert str(escape(first_line)) in html, item.uid
        exhibit = (item.extra or {}).get("exhibit")
        if exhibit:  # the document the question is about is shown whole, as written
            assert f"{escape(exhibit)}</pre>" in html, item.uid
        text_lang = (item.extra or {}).get("text_lang")
        if text_lang:  # English material is marked English, the instruction stays French
            assert language_of(html, first_line) == {"fr"}, item.uid
            if exhibit:
                assert language_of(html, exhibit) == {text_lang}, item.uid
            for name in ("choices", "left", "right", "items"):
                for entry in item.body.get(name, []):
                    expected = {entry.get("lang", text_lang)}
                    assert language_of(html, entry["text"]) == expected, (item.uid, entry)
        answered = post_answer(
            client, url, item, form_fields(item, checking.example_right_response(item))
        )
        assert answered.status_code == 303, (item.uid, text(answered)[:2000])

    assert answered.headers["Location"].endswith("/resultats")
    assert client.get(answered.headers["Location"]).status_code == 200
    with app.app_context():
        rows = db.session.scalars(
            select(Response).where(Response.session_id == session_id_of(url))
        ).all()
        wrong = [(r.item.uid, r.status) for r in rows if r.status is not AnswerStatus.OK]
        assert len(rows) == count
        assert wrong == []
