"""A new release's shipped badge definitions reach an existing install (``badges.shipped``,
``jalon badges update-shipped``): untouched badges are updated, a badge its organisation edited
is kept, and a badge that issued credentials gets a new version (credentials keep theirs)."""

from __future__ import annotations

import copy

from sqlalchemy import select

from assessments import checking, sessions
from badges import awarding, shipped
from badges.models import Achievement, Credential
from tests.assessments.factories import make_tour_campaign
from tests.badges.factories import BASE_URL, KEK, make_issuer
from tests.learners.factories import make_learner, make_organisation

AUTONOME = "Premiers pas numériques — autonome"
DONE = "Premiers pas numériques — diagnostic réalisé"


def next_release(monkeypatch, **changes):
    """The shipped entries as a later release ships them: ``changes`` by slug."""
    entries = copy.deepcopy(shipped.shipped_achievements())
    for entry in entries:
        entry.update(changes.get(entry["slug"], {}))
    monkeypatch.setattr(shipped, "shipped_achievements", lambda: entries)
    return {e["slug"]: e for e in entries}


def stronger(entry):
    return {**entry["rule"], "evidence": {**entry["rule"].get("evidence", {}), "min_answers": 9}}


def achievement(db, issuer, name):
    return db.scalar(
        select(Achievement).where(
            Achievement.issuer_id == issuer.id,
            Achievement.name == name,
            Achievement.is_archived.is_(False),
        )
    )


def test_an_untouched_badge_is_updated_and_an_edited_one_kept(dbsession, monkeypatch):
    tremplin = make_issuer(dbsession, shipped=True)
    lien = make_issuer(dbsession, name="Les Ateliers du Lien", shipped=True)
    edited = achievement(dbsession, lien, AUTONOME)
    edited.award_rules = {**edited.award_rules, "evidence": {}}  # the organisation's own rule
    dbsession.flush()
    current = {e["slug"]: e for e in shipped.shipped_achievements()}
    rule = stronger(current["premiers-pas-autonome"])
    next_release(monkeypatch, **{"premiers-pas-autonome": {"rule": rule, "criteria": "Nouveau."}})

    changes = shipped.update_shipped(dbsession)

    assert {(c.achievement.issuer_id, c.status) for c in changes} == {
        (tremplin.id, "updated"),
        (lien.id, "kept"),
    }
    updated = achievement(dbsession, tremplin, AUTONOME)
    assert (updated.award_rules, updated.criteria_narrative) == (rule, "Nouveau.")
    assert achievement(dbsession, lien, AUTONOME).award_rules["evidence"] == {}
    again = shipped.update_shipped(dbsession)  # run again: only the edited one is reported
    assert [(c.achievement.issuer_id, c.status) for c in again] == [(lien.id, "kept")]


def test_a_badge_with_credentials_gets_a_new_version_and_credentials_keep_theirs(
    dbsession, monkeypatch
):
    organisation = make_organisation(dbsession, "Association Tremplin")
    issuer = make_issuer(dbsession, organisation, shipped=True)
    campaign = make_tour_campaign(dbsession, organisation)
    session = sessions.start(dbsession, campaign.code, make_learner(dbsession, organisation))
    while not session.finished:
        item = session.current_item
        sessions.answer(dbsession, session, item.id, checking.example_right_response(item))
    awarding.award_session(dbsession, session, base_url=BASE_URL, kek=KEK)
    before = achievement(dbsession, issuer, DONE)
    issued = dbsession.scalars(select(Credential).where(Credential.achievement_id == before.id))
    [credential] = issued.all()
    signed = credential.signed_json
    next_release(monkeypatch, **{"premiers-pas-parcours": {"description": "Plus précis."}})

    [change] = shipped.update_shipped(dbsession)

    assert change.status == "new_version" and change.achievement.id != before.id
    assert (change.achievement.previous_version_id, before.is_archived) == (before.id, True)
    assert change.achievement.description == "Plus précis."
    dbsession.refresh(credential)
    assert (credential.achievement_id, credential.signed_json) == (before.id, signed)


def test_a_row_from_before_the_hash_is_updated_only_if_a_release_shipped_it(dbsession, monkeypatch):
    """Rows installed before ``shipped_hash`` existed: a definition an earlier release shipped
    is untouched (updated), any other is the organisation's (kept)."""
    tremplin = make_issuer(dbsession, shipped=True)
    lien = make_issuer(dbsession, name="Les Ateliers du Lien", shipped=True)
    old_rule = {
        "framework": "premiers-pas",
        "conditions": [{"type": "referral", "in": ["autonome"]}],
    }
    for issuer, rule in ((tremplin, old_rule), (lien, {**old_rule, "evidence": {}})):
        row = achievement(dbsession, issuer, AUTONOME)
        row.award_rules, row.shipped_hash, row.shipped_slug = rule, None, None
    dbsession.flush()
    former = shipped.definition_hash(
        shipped.row_definition(achievement(dbsession, tremplin, AUTONOME))
    )
    monkeypatch.setattr(shipped, "former_hashes", lambda: frozenset({former}))

    changes = {c.achievement.issuer_id: c.status for c in shipped.update_shipped(dbsession)}

    assert changes == {tremplin.id: "updated", lien.id: "kept"}
    entry = next(e for e in shipped.shipped_achievements() if e["name"] == AUTONOME)
    assert achievement(dbsession, tremplin, AUTONOME).award_rules == entry["rule"]


def test_db_upgrade_says_which_shipped_badges_it_updated(app, monkeypatch):
    from web.cli.db import db as db_group
    from web.database import db

    with app.app_context():
        make_issuer(db.session, shipped=True)
        db.session.commit()
    current = {e["slug"]: e for e in shipped.shipped_achievements()}
    rule = stronger(current["premiers-pas-autonome"])
    next_release(monkeypatch, **{"premiers-pas-autonome": {"rule": rule}})
    done = app.test_cli_runner().invoke(db_group, ["upgrade"])
    assert done.exit_code == 0, done.output
    assert f"Badge livré « {AUTONOME} » (Association Tremplin) : mis à jour." in done.output
    assert "Badges livrés : 1 mis à jour." in done.output
    again = app.test_cli_runner().invoke(db_group, ["upgrade"])
    assert "Badges livrés : 0 mis à jour." in again.output
