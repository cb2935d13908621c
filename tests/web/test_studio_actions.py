"""The association's actions pages: creating and changing an action (and bad input), enrolling
a learner (an inclusion-numérique action refuses a non-RSA person), exit and outcomes, the
follow-ups due, the learner's sheet, the CSV import (dry run, then the job), and the campaign
whose badges count for an action."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from learners.models import Action, AuditEvent, Enrolment, Outcome, Situation, User
from tests.web.forms import submit, text

ACTIONS = "/organisations/{org_a}/actions"
ACTION_FORM = {
    "title": "Premiers pas vers l'emploi",
    "typologies": ["inclusion_numerique", "diagnostic"],
    "target_jobs": ["developpeur_web"],
    "first_year": "2025",
    "last_year": "2027",
    "communes": ["93066", "93001"],
    "planned_beneficiaries": "15",
    "planned_completion_rate": "70",
    "planned_success_rate": "",
    "planned_employment_rate": "40",
}


def url(template: str, world, **more) -> str:
    return template.format(**world.ids, **more)


def rows(app, model, *where):
    from web.database import db

    with app.app_context():
        found = db.session.scalars(select(model).where(*where)).all()
        for row in found:
            db.session.expunge(row)
        return found


def journal(app) -> list[str]:
    return [e.action for e in rows(app, AuditEvent)]


@pytest.fixture
def trainer(client_as):
    return client_as("trainer")


def _create(trainer, world, **changes) -> object:
    return submit(trainer, url(ACTIONS + "/nouvelle", world), {**ACTION_FORM, **changes})


def test_a_trainer_creates_an_action_with_its_planned_figures(app, world, trainer):
    response = _create(trainer, world)
    assert response.status_code == 303
    [action] = rows(app, Action)
    assert action.typologies == ["diagnostic", "inclusion_numerique"]
    assert (action.planned_beneficiaries, action.planned_employment_rate) == (15, 40)
    assert action.planned_success_rate is None
    page = text(trainer.get(response.headers["Location"]))
    assert "Premiers pas vers l'emploi" in page and "Saint-Denis" in page and "70 %" in page
    assert "action.created" in journal(app)
    listing = text(trainer.get(url(ACTIONS, world)))
    assert "Premiers pas vers l'emploi" in listing


def test_bad_input_comes_back_with_french_messages_and_nothing_lost(app, world, trainer):
    response = _create(
        trainer, world, title="", typologies=[], planned_beneficiaries="8", last_year="2024"
    )
    assert response.status_code == 422
    page = text(response)
    assert "Écrivez l'intitulé de l'action." in page
    assert "Cochez au moins une typologie" in page
    assert "Une action accueille au moins 10 bénéficiaires." in page
    assert "La dernière année ne peut pas être avant la première." in page
    assert 'name="planned_employment_rate" type="number" value="40"' in page
    assert '<option selected value="93066">' in page
    assert rows(app, Action) == []


def test_editing_and_archiving_are_journaled(app, world, trainer):
    created = _create(trainer, world).headers["Location"]
    edit = submit(trainer, created + "/modifier", {**ACTION_FORM, "title": "Nouveau titre"})
    assert edit.status_code == 303
    assert "Nouveau titre" in text(trainer.get(created))
    assert 'value="Nouveau titre"' in text(trainer.get(created + "/modifier"))
    archived = submit(trainer, created + "/archiver", {}, form_path=created)
    assert archived.status_code == 303
    assert ">Nouveau titre</a>" not in text(trainer.get(url(ACTIONS, world)))
    assert ">Nouveau titre</a>" in text(trainer.get(url(ACTIONS + "?archivees=1", world)))
    assert journal(app)[-3:] == ["action.created", "action.updated", "action.archived"]


def _enrol(trainer, world, action_url, **changes):
    data = {
        "learner": str(world.learner),
        "referrer": "france_travail",
        "entry_date": "2025-03-01",
        "sessions_planned": "10",
        "public_status": "rsa_cer",
        "sex": "f",
        "birth_year": "1984",
        "commune_code": "93066",
        **changes,
    }
    return submit(trainer, action_url + "/inscrire", data)


def test_an_inclusion_action_refuses_a_job_seeker_with_a_clear_message(app, world, trainer):
    action_url = _create(trainer, world).headers["Location"]
    refused = _enrol(trainer, world, action_url, public_status="demandeur_emploi")
    assert refused.status_code == 422
    assert "réservée aux bénéficiaires du RSA" in text(refused)
    assert rows(app, Enrolment) == []
    assert _enrol(trainer, world, action_url).status_code == 303
    [enrolment] = rows(app, Enrolment)
    assert enrolment.public_status.is_rsa and enrolment.commune_code == "93066"


def test_another_organisations_learner_cannot_be_chosen(app, world, trainer):
    action_url = _create(trainer, world).headers["Location"]
    response = _enrol(trainer, world, action_url, learner=str(world.learner_b))
    assert response.status_code == 422
    assert "Choisissez un apprenant de votre structure." in text(response)


def test_exit_then_outcomes_then_the_learners_sheet(app, world, trainer):
    action_url = _create(trainer, world).headers["Location"]
    _enrol(trainer, world, action_url)
    [enrolment] = rows(app, Enrolment)
    base = f"{action_url}/inscriptions/{enrolment.id}"
    early = submit(trainer, base + "/sortie", {"exit_date": "2025-02-01", "reason": "abandon"})
    assert early.status_code == 422
    assert "ne peut pas être avant la date d'entrée (01/03/2025)" in text(early)
    over = {"exit_date": "2025-06-30", "reason": "parcours_termine", "sessions_attended": "12"}
    assert submit(trainer, base + "/sortie", over).status_code == 422
    over["justification"] = "Séances de rattrapage"
    assert submit(trainer, base + "/sortie", over).status_code == 303
    outcome = {"moment": "sortie", "situation": "cdd_moins_6_mois"}
    assert submit(trainer, base + "/situation", outcome).status_code == 303
    six = {"moment": "six_mois", "situation": "cdi"}
    assert submit(trainer, base + "/situation", six).status_code == 303  # 2025-12-31 passed
    assert {o.situation for o in rows(app, Outcome)} == {
        Situation.CDD_UNDER_6_MONTHS,
        Situation.CDI,
    }
    sheet = text(trainer.get(url("/organisations/{org_a}/apprenants/{learner}", world)))
    assert "Actions suivies" in sheet and "Premiers pas vers l'emploi" in sheet
    assert "CDD de moins de 6 mois" in sheet
    [exited] = [e for e in rows(app, AuditEvent) if e.action == "enrolment.exited"]
    assert exited.reason == "Séances de rattrapage"


def test_the_six_month_situation_waits_six_months(app, world, trainer):
    action_url = _create(trainer, world).headers["Location"]
    _enrol(trainer, world, action_url)
    [enrolment] = rows(app, Enrolment)
    base = f"{action_url}/inscriptions/{enrolment.id}"
    today = date.today()
    submit(trainer, base + "/sortie", {"exit_date": today.isoformat(), "reason": "emploi"})
    response = submit(trainer, base + "/situation", {"moment": "six_mois", "situation": "cdi"})
    assert response.status_code == 422
    assert "La situation à 6 mois se saisit à partir du" in text(response)


def test_the_follow_ups_page_lists_those_due_and_overdue(app, world, trainer, actions_content):
    page = text(trainer.get(url("/organisations/{org_a}/suivis-a-six-mois", world)))
    assert "En retard" in page
    name = rows(app, User, User.id == world.learner)[0].display_name
    assert name in page  # exited 30 June 2025: overdue now
    learner_b = rows(app, User, User.id == world.learner_b)[0].display_name
    assert learner_b not in page


CSV = (
    "\ufeffidentifiant;orienteur;date_entree;statut;sexe;annee_naissance;commune\n"
    "learner-a;ali;01/03/2025;rsa_ppae;m;1990;Saint-Denis\n"
    "learner-b;ali;01/03/2025;rsa_ppae;m;1990;\n"
    "personne;ali;32/03/2025;rsa_cer;;;\n"
)


def test_csv_import_dry_run_then_the_job_enrols_the_good_line(app, world, trainer):
    import io

    action_url = _create(trainer, world).headers["Location"]
    upload = {"file": (io.BytesIO(CSV.encode("utf-8")), "inscriptions.csv")}
    response = submit(trainer, action_url + "/import", upload)
    assert response.status_code == 200
    page = text(response)
    assert "1 ligne(s) acceptée(s), 2 refusée(s)" in page
    assert "Cet apprenant n'est pas suivi par votre structure." in page
    assert "Aucun apprenant n'a cet identifiant." in page and "Date illisible" in page
    assert rows(app, Enrolment) == []
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    started = submit(
        trainer,
        action_url + "/import/confirmer",
        {"token": token},
        form_path=action_url + "/import",
    )
    assert started.status_code == 303
    result = text(trainer.get(started.headers["Location"]))
    assert "1 inscription(s) faite(s), 2 ligne(s) refusée(s)." in result
    [enrolment] = rows(app, Enrolment)
    assert enrolment.learner_id is not None and enrolment.commune_code == "93066"
    assert "enrolments.imported" in journal(app)
    from learners.models import Job

    [job] = rows(app, Job)
    assert "learner-a" not in str(job.arguments)  # the lines stayed in a file, now removed
    assert not any(Path(app.instance_path, "pending-imports").iterdir())
    again = submit(
        trainer,
        action_url + "/import/confirmer",
        {"token": token},
        form_path=action_url + "/import",
    )
    assert again.status_code == 422  # the kept file was used up


def test_a_file_that_is_not_csv_utf8_is_refused_as_a_whole(app, world, trainer):
    import io

    action_url = _create(trainer, world).headers["Location"]
    upload = {"file": (io.BytesIO("identifiant;é".encode("latin-1")), "x.csv")}
    response = submit(trainer, action_url + "/import", upload)
    assert response.status_code == 422
    assert "n'est pas en UTF-8" in text(response)


def test_the_model_file_is_csv_with_a_bom(world, trainer):
    response = trainer.get(url(ACTIONS + "/modele-inscriptions.csv", world))
    assert response.data.startswith("\ufeffidentifiant;orienteur".encode())
    assert "attachment" in response.headers["Content-Disposition"]


def test_a_campaign_is_created_for_one_of_the_organisations_actions(app, world, trainer):
    from assessments.models import Campaign, Framework

    action_url = _create(trainer, world).headers["Location"]
    action_id = int(action_url.rsplit("/", 1)[1])
    framework = rows(app, Framework)[0]
    data = {
        "name": "Campagne de l'action",
        "source": "new",
        "framework": str(framework.id),
        "mode": "adaptive",
        "lowest_level": "1",
        "highest_level": "3",
        "min_items": "1",
        "max_items": "2",
        "action": str(action_id),
    }
    new = url("/organisations/{org_a}/campagnes/nouvelle", world)
    assert "Premiers pas vers l'emploi" in text(trainer.get(new))
    assert submit(trainer, new, data).status_code == 303
    [campaign] = rows(app, Campaign, Campaign.name == "Campagne de l'action")
    assert campaign.action_id == action_id


def test_a_campaign_refuses_another_organisations_action(app, world, trainer, actions_content):
    from assessments.models import Campaign, Framework

    framework = rows(app, Framework)[0]
    data = {
        "name": "Campagne volée",
        "source": "new",
        "framework": str(framework.id),
        "mode": "adaptive",
        "lowest_level": "1",
        "highest_level": "3",
        "min_items": "1",
        "max_items": "2",
        "action": str(actions_content["action_b"]),
    }
    response = submit(trainer, url("/organisations/{org_a}/campagnes/nouvelle", world), data)
    assert response.status_code == 422
    assert "n'est pas celle de votre structure" in text(response)
    assert rows(app, Campaign, Campaign.name == "Campagne volée") == []


def test_the_platform_admin_and_the_departement_never_see_beneficiaries(
    world, client_as, actions_content
):
    path = url(ACTIONS + "/{action_a}", world, **actions_content)
    for role in ("platform_admin", "department", "learner"):
        assert client_as(role).get(path).status_code == 403
    assert client_as("org_admin").get(path).status_code == 200


def test_counts_in_the_list(app, world, trainer, actions_content):
    page = text(trainer.get(url(ACTIONS, world)))
    assert page.count("<td>1</td>") >= 2  # one entered, one exited
    from web.database import db

    with app.app_context():
        assert db.session.scalar(select(func.count(Enrolment.id))) == 2


def test_the_learners_sheet_shows_enrolments_to_the_association_only(
    world, client_as, actions_content
):
    sheet = url("/organisations/{org_a}/apprenants/{learner}", world)
    assert "Actions suivies" in text(client_as("org_admin").get(sheet))
    admin = client_as("platform_admin").get(sheet)
    assert admin.status_code == 200 and "Actions suivies" not in text(admin)


def test_every_problem_of_the_domain_has_its_sentence_in_the_pages():
    from learners.action_problems import MESSAGES
    from learners.enrolment_import import FILE_MESSAGES
    from web.studio.action_labels import FILE_PROBLEMS, PROBLEMS

    assert PROBLEMS.keys() == MESSAGES.keys()
    assert FILE_PROBLEMS.keys() == FILE_MESSAGES.keys()
