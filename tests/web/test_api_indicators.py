"""``/api/v1/indicators``: token-only access, the catalogue, figures equal to the domain's on
the same filters (headline, breakdown, trend), masking, and French 400s for bad filters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from indicators import catalogue
from indicators.filters import Filters
from learners import api_tokens
from learners.database import utcnow
from learners.models import ExitReason, Organisation, Sex, Situation
from tests.indicators.factories import enrol, make_action, observe
from web.api.indicators import figure_json


@pytest.fixture
def secret(app, world) -> str:
    from web.database import db

    with app.app_context():
        departement = db.session.get(Organisation, world.departement)
        issued = api_tokens.issue(db.session, departement, "Outil", created_by=None)
        db.session.commit()
        return issued.secret


@pytest.fixture
def paths(app, world) -> dict[str, int]:
    """Action A (association A): 7 women and 3 men, half of them out with an outcome; action
    B (association B): 6 men, still in."""
    from web.database import db

    with app.app_context():
        org_a = db.session.get(Organisation, world.org_a)
        org_b = db.session.get(Organisation, world.org_b)
        action_a = make_action(db.session, org_a, planned_completion_rate=80)
        action_b = make_action(db.session, org_b, typologies=["inclusion_numerique"])
        for n in range(10):
            sex = Sex.FEMALE if n < 7 else Sex.MALE
            month = date(2026, 1 + n % 3, 5)
            out = n % 2 == 0
            enrolment = enrol(
                db.session,
                action_a,
                entry=month,
                exit=month + timedelta(days=60) if out else None,
                reason=ExitReason.COMPLETED if n % 4 == 0 else ExitReason.DROPPED_OUT,
                attended=8,
                planned=10,
                sex=sex,
                birth_year=1980 + n,
            )
            if out:
                observe(db.session, enrolment, Situation.CDI if n < 5 else Situation.NO_SOLUTION)
        for _n in range(6):
            enrol(db.session, action_b, sex=Sex.MALE, attended=3, planned=4)
        db.session.commit()
        return {"a": action_a.id, "b": action_b.id}


def _get(client, path: str, secret: str):
    return client.get(path, headers={"Authorization": f"Bearer {secret}"})


def _domain(app, call, *args):
    from web.database import db

    with app.app_context():
        return call(db.session, *args)


@pytest.mark.parametrize("path", ["/api/v1/indicators", "/api/v1/indicators/retour_emploi"])
@pytest.mark.parametrize(
    "authorization",
    [None, "Basic abc", "Bearer ", "Bearer jalon_00000000_nope", "Bearer nonsense"],
)
def test_no_valid_token_gets_401_problem_json(app, world, client_as, path, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    for role in ("anonymous", "department", "platform_admin"):  # a session opens nothing
        response = client_as(role).get(path, headers=headers)
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json["detail"]


def test_revoked_and_expired_tokens_are_refused_in_words(app, world, secret):
    from web.database import db

    client = app.test_client()
    assert _get(client, "/api/v1/indicators", secret).status_code == 200
    with app.app_context():
        (token,) = api_tokens.tokens_of(db.session, world.departement)
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    expired = _get(client, "/api/v1/indicators", secret)
    assert (expired.status_code, "expiré" in expired.json["detail"]) == (401, True)
    with app.app_context():
        api_tokens.revoke(db.session, world.departement, token.id)
        db.session.commit()
    revoked = _get(client, "/api/v1/indicators", secret)
    assert (revoked.status_code, "révoqué" in revoked.json["detail"]) == (401, True)


def test_catalogue_lists_every_indicator_with_its_french_definition(app, secret):
    response = _get(app.test_client(), "/api/v1/indicators", secret)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    entries = {e["cle"]: e for e in response.json["indicateurs"]}
    assert entries.keys() == catalogue.INDICATORS.keys()
    for key, indicator in catalogue.INDICATORS.items():
        assert entries[key]["definition"] == indicator.definition_fr != ""
        assert entries[key]["url"] == f"/api/v1/indicators/{key}"
    assert response.json["seuil_masquage"] == 5


@pytest.mark.parametrize("key", sorted(catalogue.INDICATORS))
def test_api_figures_equal_the_domain_on_the_same_filters(app, paths, secret, key):
    client = app.test_client()
    cases = [
        ("", Filters()),
        ("sexe=f", Filters(sexes=("f",))),
        (
            f"action={paths['a']}&du=2026-01-01&au=2026-02-28",
            Filters(
                action_ids=(paths["a"],),
                period_start=date(2026, 1, 1),
                period_end=date(2026, 2, 28),
            ),
        ),
        (
            "typologie=inclusion_numerique&statut=rsa_cer",
            Filters(typologies=("inclusion_numerique",), public_statuses=("rsa_cer",)),
        ),
    ]
    for query, filters in cases:
        body = _get(client, f"/api/v1/indicators/{key}?{query}", secret).json
        assert body["figure"] == figure_json(_domain(app, catalogue.compute, key, filters))
        by_action = _get(client, f"/api/v1/indicators/{key}?{query}&par=action", secret).json
        expected = _domain(app, catalogue.breakdown, key, filters, "action")
        assert by_action["lignes"] == [{"cle": k, **figure_json(f)} for k, f in expected]
        trend = _get(client, f"/api/v1/indicators/{key}?{query}&tendance=mois", secret).json
        expected = _domain(app, catalogue.monthly_trend, key, filters)
        assert trend["tendance"] == [{"mois": m, **figure_json(f)} for m, f in expected]


def test_small_cells_are_masked_and_large_ones_shown(app, paths, secret):
    body = _get(app.test_client(), "/api/v1/indicators/beneficiaires_entree?par=sexe", secret).json
    cells = {row["cle"]: row for row in body["lignes"]}
    assert cells["f"]["valeur"] == 7 and cells["f"]["masque"] is False
    assert cells["m"]["valeur"] == 9  # 3 in A and 6 in B
    only_a = _get(
        app.test_client(),
        f"/api/v1/indicators/beneficiaires_entree?par=sexe&action={paths['a']}",
        secret,
    ).json
    cells = {row["cle"]: row for row in only_a["lignes"]}
    men = cells["m"]
    assert men["masque"] is True
    assert men["valeur"] is None and men["numerateur"] is None and men["personnes"] == 0
    # 7 women, but shown they would give the 3 men back as 10 − 7: masked with them.
    assert cells["f"]["masque"] is True and cells["f"]["personnes"] == 0


def test_answers_name_no_beneficiary(app, paths, secret):
    from sqlalchemy import select

    from learners.models import Learner
    from web.database import db

    with app.app_context():
        names = {learner.display_name for learner in db.session.scalars(select(Learner))}
    client = app.test_client()
    bodies = [_get(client, "/api/v1/indicators", secret).get_data(as_text=True)]
    for key in catalogue.INDICATORS:
        for shape in ("", "?par=action", "?par=sexe", "?tendance=mois"):
            bodies.append(
                _get(client, f"/api/v1/indicators/{key}{shape}", secret).get_data(as_text=True)
            )
    assert names and not any(name in body for name in names for body in bodies)


@pytest.mark.parametrize(
    "query, parameter, words",
    [
        ("sexe=x", "sexe", "Valeur inconnue"),
        ("action=abc", "action", "numéros entiers"),
        ("du=31/01/2026", "du", "AAAA-MM-JJ"),
        ("du=2026-03-01&au=2026-01-01", "au", "précède"),
        ("par=couleur", "par", "Dimension inconnue"),
        ("tendance=an", "tendance", "tendance=mois"),
        ("par=sexe&tendance=mois", "tendance", "pas les deux"),
        ("couleur=bleu", "couleur", "Paramètre inconnu"),
        ("commune=00000", "commune", "Valeur inconnue"),
    ],
)
def test_bad_filters_get_400_problem_json_in_french(app, secret, query, parameter, words):
    response = _get(app.test_client(), f"/api/v1/indicators/retour_emploi?{query}", secret)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    reasons = {p["name"]: p["reason"] for p in response.json["invalid-params"]}
    assert words in reasons[parameter]


def test_unknown_indicator_is_a_404_problem(app, secret):
    response = _get(app.test_client(), "/api/v1/indicators/nope", secret)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "sexe=f",
        "porteur=3&typologie=diagnostic&du=2026-01-01&au=2026-06-30",
        "action=7&tranche_age=26_49&statut=rsa_ppae&commune={commune}&metier={job}",
    ],
)
def test_api_reads_the_dashboard_form_as_the_dashboard_does(app, query):
    from werkzeug.datastructures import MultiDict

    from learners import communes, target_jobs
    from web.api.indicator_query import read
    from web.department.dashboard import filters_from

    query = query.format(
        commune=communes.all_communes()[0].code, job=next(iter(target_jobs.target_jobs()))
    )
    args = MultiDict([tuple(pair.split("=")) for pair in query.split("&") if pair])
    with app.test_request_context():
        assert read(args).filters == filters_from(args)


def test_the_mask_threshold_is_the_dashboards(app, paths, secret):
    app.config["JALON_INDICATORS_MASK_THRESHOLD"] = 20
    body = _get(app.test_client(), "/api/v1/indicators/beneficiaires_entree?par=sexe", secret).json
    assert all(row["masque"] for row in body["lignes"])  # 7 women, 9 men: both under 20
    catalogue_body = _get(app.test_client(), "/api/v1/indicators", secret).json
    assert catalogue_body["seuil_masquage"] == 20
