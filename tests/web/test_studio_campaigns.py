"""The studio's campaigns pages: the list and its filter, creating a campaign (and bad input),
the campaign's page with its join link and QR code, the A4 poster, open / close / archive in
the journal, and what learners then meet."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
import zxingcpp
from pypdf import PdfReader
from sqlalchemy import select

from assessments.campaigns import format_code
from assessments.models import Assessment, AssessmentMode, Campaign
from badges.qr import qr_png
from learners.models import AuditEvent, Organisation
from tests.assessments.factories import make_campaign
from tests.web.forms import csrf_token, submit, text

LIST = "/organisations/{org_a}/campagnes"
NEW = "/organisations/{org_a}/campagnes/nouvelle"


def url(template: str, world, **more) -> str:
    return template.format(**world.ids, **more)


def read(app, model, ident):
    from web.database import db

    with app.app_context():
        found = db.session.get(model, ident)
        db.session.expunge(found)
        return found


def framework_id(app) -> int:
    from assessments.models import Framework
    from web.database import db

    with app.app_context():
        return db.session.scalar(select(Framework.id).where(Framework.slug == "essai"))


def journal(app, org_id: int) -> list[tuple[str, str]]:
    from web.database import db

    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.organisation_id == org_id).order_by(AuditEvent.id)
        )
        return [(e.action, e.detail.get("name")) for e in events]


def form_data(app, **changes) -> dict:
    data = {
        "name": "Atelier numérique de mars",
        "source": "new",
        "framework": str(framework_id(app)),
        "mode": "adaptive",
        "lowest_level": "1",
        "highest_level": "3",
        "min_items": "4",
        "max_items": "9",
        "target_se": "0.5",
        "time_limit_minutes": "",
        "opens_on": "",
        "closes_on": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def trainer(client_as):
    return client_as("trainer")


# ---------------------------------------------------------------------------------------------
# The list


def test_the_organisation_page_links_to_its_campaigns(trainer, world):
    page = text(trainer.get(f"/organisations/{world.org_a}/"))
    assert f'href="/organisations/{world.org_a}/campagnes"' in page
    assert "Campagnes d'évaluation" in page


def test_the_list_shows_each_campaign_with_its_state_code_and_participants(app, trainer, world):
    campaign = read(app, Campaign, world.campaign_a)
    page = text(trainer.get(url(LIST, world)))
    assert "Campagne A" in page and "Campagne B" not in page  # only the organisation's own
    assert format_code(campaign.code) in page
    assert "Évaluation d'essai" in page and "Ouverte" in page
    assert "Fermer maintenant « Campagne A »" in page and "Archiver « Campagne A »" in page


def test_archived_campaigns_are_hidden_until_the_filter_asks_for_them(app, trainer, world):
    token = csrf_token(trainer, url(LIST, world))
    archived = trainer.post(
        f"/organisations/{world.org_a}/campagnes/{world.campaign_a}/archiver",
        data={"csrf_token": token, "next": "list"},
    )
    assert archived.status_code == 303
    assert archived.headers["Location"].endswith(f"/organisations/{world.org_a}/campagnes")
    page = text(trainer.get(url(LIST, world)))
    assert "Archiver « Campagne A »" not in page and "Aucune campagne en cours." in page
    shown = text(trainer.get(url(LIST, world) + "?etat=archived"))
    assert "Campagne A" in shown and "Archivée" in shown and "Rouvrir « Campagne A »" in shown
    assert "Campagne A" not in text(trainer.get(url(LIST, world) + "?etat=open"))
    # An unknown filter is the default one, not an error.
    assert trainer.get(url(LIST, world) + "?etat=nimporte").status_code == 200


def test_the_list_pages_when_it_grows(app, trainer, world):
    from web.database import db

    with app.app_context():
        org = db.session.get(Organisation, world.org_a)
        framework = read(app, Campaign, world.campaign_a).assessment_id
        assessment = db.session.get(Assessment, framework)
        for n in range(55):
            make_campaign(
                db.session,
                assessment.framework,
                organisation=org,
                name=f"Série {n:02d}",
                item_uids=None,
            )
        db.session.commit()
    first = text(trainer.get(url(LIST, world)))
    assert "Page 1 sur 2" in first and "56 campagnes" in first
    second = text(trainer.get(url(LIST, world) + "?page=2"))
    assert "Page 2 sur 2" in second and 'rel="prev"' in second


# ---------------------------------------------------------------------------------------------
# Creating


def test_the_form_offers_frameworks_competences_and_the_shipped_or_own_assessments(trainer, world):
    page = text(trainer.get(url(NEW, world)))
    assert "Référentiel d'essai" in page
    assert 'name="competences"' in page and "1.1 Chercher" in page
    assert (
        '<optgroup label="Évaluations livrées avec Jalon">' in page and "Évaluation d'essai" in page
    )
    assert 'src="/static/js/campaigns.js?v=' in page


def test_creating_a_composed_campaign_records_it_and_shows_its_code_and_link(app, trainer, world):
    fid = framework_id(app)
    data = form_data(
        app,
        competences=[f"{fid}:1.1", f"{fid}:4.1"],
        time_limit_minutes="40",
        accessible_only="y",
        closes_on=(date.today() + timedelta(days=20)).isoformat(),
    )
    response = submit(trainer, url(NEW, world), data)
    assert response.status_code == 303
    campaign_id = int(re.search(r"/campagnes/(\d+)$", response.headers["Location"]).group(1))
    campaign = read(app, Campaign, campaign_id)
    assessment = read(app, Assessment, campaign.assessment_id)
    assert (campaign.name, campaign.organisation_id) == ("Atelier numérique de mars", world.org_a)
    assert assessment.competence_codes == ["1.1", "4.1"]
    assert (assessment.mode, assessment.min_items, assessment.max_items) == (
        AssessmentMode.ADAPTIVE,
        4,
        9,
    )
    assert (assessment.target_se, assessment.time_limit_minutes) == (0.5, 40)
    assert assessment.accessible_only is True and assessment.organisation_id == world.org_a
    assert journal(app, world.org_a)[-2:] == [
        ("assessment.created", "Atelier numérique de mars"),
        ("campaign.created", "Atelier numérique de mars"),
    ]
    page = text(trainer.get(response.headers["Location"]))
    code = format_code(campaign.code)
    assert "La campagne est créée" in page and code in page
    assert f'value="https://jalon.test/apprenant/campagne/{code}"' in page
    assert "Copier le lien" in page and 'role="status"' in page
    assert "1.1 Chercher ; 4.1 Se protéger" in page and "40 minutes" in page


def test_a_campaign_closes_at_the_end_of_its_last_day_in_paris(app, trainer, world):
    last_day = date.today() + timedelta(days=3)
    response = submit(trainer, url(NEW, world), form_data(app, closes_on=last_day.isoformat()))
    campaign_id = int(response.headers["Location"].rsplit("/", 1)[1])
    closes = read(app, Campaign, campaign_id).closes_at
    from zoneinfo import ZoneInfo

    local = closes.astimezone(ZoneInfo("Europe/Paris"))
    assert (local.date(), local.hour, local.minute) == (last_day, 23, 59)


def test_a_fixed_list_is_picked_from_the_chosen_levels(app, trainer, world):
    fid = framework_id(app)
    data = form_data(
        app, competences=[f"{fid}:1.2"], mode="fixed", lowest_level="2", highest_level="3"
    )
    response = submit(trainer, url(NEW, world), data)
    assert response.status_code == 303
    campaign = read(app, Campaign, int(response.headers["Location"].rsplit("/", 1)[1]))
    assessment = read(app, Assessment, campaign.assessment_id)
    assert assessment.mode == AssessmentMode.FIXED
    assert assessment.item_uids == ["essai-1.2-002", "essai-1.2-004", "essai-1.2-003"]


def test_a_campaign_on_an_existing_assessment_reuses_it(app, trainer, world):
    existing = read(app, Campaign, world.campaign_a).assessment_id
    data = form_data(app, name="Deuxième session", source="existing", assessment=str(existing))
    response = submit(trainer, url(NEW, world), data)
    assert response.status_code == 303
    campaign = read(app, Campaign, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert campaign.assessment_id == existing
    assert journal(app, world.org_a)[-1] == ("campaign.created", "Deuxième session")
    assert "assessment.created" not in [action for action, _ in journal(app, world.org_a)]


def _refused(app, trainer, world, count_rows, data, expected: dict[str, str]):
    before = (count_rows(Campaign), count_rows(Assessment), count_rows(AuditEvent))
    response = submit(trainer, url(NEW, world), data)
    page = text(response)
    assert response.status_code == 422
    assert "Corrigez ce qui suit" in page
    for field_id, message in expected.items():
        assert f'<a href="#{field_id}">' in page, field_id
        error = re.search(rf'<p id="{field_id}-error" class="field-error">(.*?)</p>', page, re.S)
        assert error and message in error.group(1), (field_id, page)
    assert (count_rows(Campaign), count_rows(Assessment), count_rows(AuditEvent)) == before
    return page


def test_bad_input_gets_french_messages_on_the_fields_and_writes_nothing(
    app, trainer, world, count_rows
):
    today = date.today()
    data = form_data(
        app,
        name="  ",
        competences=[f"{framework_id(app)}:9.9"],
        min_items="12",
        max_items="5",
        opens_on=(today + timedelta(days=10)).isoformat(),
        closes_on=(today + timedelta(days=2)).isoformat(),
    )
    page = _refused(
        app,
        trainer,
        world,
        count_rows,
        data,
        {
            "name": "Écrivez le nom de la campagne.",
            "closes_on": "La date de fin doit être après la date de début.",
            "competences": "Compétence inconnue dans ce référentiel : 9.9.",
            "min_items": "Le minimum ne peut pas dépasser le maximum.",
        },
    )
    assert 'value="12"' in page and 'value="5"' in page  # what was typed comes back


def test_a_duplicate_name_in_the_organisation_is_refused(app, trainer, world, count_rows):
    data = form_data(app, name="campagne a")
    _refused(
        app,
        trainer,
        world,
        count_rows,
        data,
        {"name": "Une campagne de votre structure porte déjà ce nom."},
    )


def test_competences_of_another_framework_are_refused(app, trainer, world, count_rows):
    data = form_data(app, competences=["999:1.1"])
    _refused(
        app,
        trainer,
        world,
        count_rows,
        data,
        {"competences": "Ces compétences ne sont pas dans le référentiel choisi : 1.1."},
    )


def test_another_organisations_assessment_cannot_be_reused(app, world, client_as, count_rows):
    from web.database import db

    with app.app_context():
        fw = db.session.get(Assessment, read(app, Campaign, world.campaign_a).assessment_id)
        theirs = Assessment(
            title="Chez B",
            framework_id=fw.framework_id,
            mode=AssessmentMode.ADAPTIVE,
            organisation_id=world.org_b,
        )
        db.session.add(theirs)
        db.session.commit()
        theirs_id = theirs.id
    page = _refused(
        app,
        client_as("trainer"),
        world,
        count_rows,
        form_data(app, source="existing", assessment=str(theirs_id)),
        {"assessment": "Cette évaluation n'existe pas ou n'est pas disponible."},
    )
    assert "Chez B" not in page


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"max_items": "abc"}, "max_items", "N'est pas un entier valide."),
        ({"closes_on": "31/02/2027"}, "closes_on", "N'est pas une date valide."),
        ({"closes_on": "2020-01-01"}, "closes_on", "La date de fin est déjà passée."),
        ({"source": "existing", "assessment": ""}, "assessment", "Choisissez une évaluation."),
        ({"mode": "fixed", "lowest_level": "7", "highest_level": "8"}, "lowest_level",
         "Aucune question validée ne correspond à ces choix."),
        ({"mode": "fixed", "lowest_level": "4", "highest_level": "2"}, "lowest_level",
         "Le niveau le plus bas ne peut pas dépasser le niveau le plus haut."),
        ({"time_limit_minutes": "0"}, "time_limit_minutes",
         "La durée doit être entre 1 et 600 minutes."),
        ({"framework": "999999"}, "framework",
         "Ce référentiel n'existe pas ou n'est pas disponible."),
    ],
)  # fmt: skip
def test_each_bad_setting_is_named_on_its_field(
    app, trainer, world, count_rows, changes, field_id, message
):
    _refused(app, trainer, world, count_rows, form_data(app, **changes), {field_id: message})


def test_the_english_interface_translates_the_messages(app, trainer, world, count_rows):
    trainer.get("/langue?lang=en&next=/")
    response = submit(trainer, url(NEW, world), form_data(app, name="Campagne A"))
    assert response.status_code == 422
    assert "A campaign of your organisation already has this name." in text(response)


# ---------------------------------------------------------------------------------------------
# A campaign's page, its poster and its actions


def test_another_organisations_campaign_answers_404(trainer, world):
    base = f"/organisations/{world.org_a}/campagnes/{world.campaign_b}"
    assert trainer.get(base).status_code == 404
    assert trainer.get(base + "/affiche.pdf").status_code == 404


def test_the_page_shows_a_qr_code_of_the_join_link(app, trainer, world):
    campaign = read(app, Campaign, world.campaign_a)
    page = text(trainer.get(f"/organisations/{world.org_a}/campagnes/{world.campaign_a}"))
    assert '<svg role="img"' in page and "<title>Code QR du lien" in page
    assert f"/organisations/{world.org_a}/campagnes/{world.campaign_a}/affiche.pdf" in page
    results = f"/organisations/{world.org_a}/campagnes/{world.campaign_a}/resultats"
    assert f'href="{results}"' in page and "Voir les résultats (0 terminées)" in page
    assert trainer.get(results).status_code == 200
    assert format_code(campaign.code) in page


def test_the_poster_is_an_a4_pdf_with_the_name_code_link_and_a_qr_code_of_the_link(
    app, trainer, world
):
    campaign = read(app, Campaign, world.campaign_a)
    code = format_code(campaign.code)
    response = trainer.get(f"/organisations/{world.org_a}/campagnes/{world.campaign_a}/affiche.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (
        210,
        297,
    )
    words = reader.pages[0].extract_text()
    link = f"https://jalon.test/apprenant/campagne/{code}"
    for expected in ("Campagne A", "Association A", code, link, "Votre code"):
        assert expected in words, expected
    images = reader.pages[0].images
    assert len(images) == 1
    decoded = zxingcpp.read_barcodes(images[0].image)
    assert [found.text for found in decoded] == [link]


def test_closing_records_it_and_learners_get_the_closed_message(app, world, client_as):
    trainer = client_as("trainer")
    page = f"/organisations/{world.org_a}/campagnes/{world.campaign_a}"
    closed = trainer.post(page + "/fermer", data={"csrf_token": csrf_token(trainer, page)})
    assert closed.status_code == 303 and closed.headers["Location"].endswith(page)
    assert "est fermée : personne ne peut plus la commencer" in text(trainer.get(page))
    again = trainer.post(page + "/fermer", data={"csrf_token": csrf_token(trainer, page)})
    assert again.status_code == 303
    assert journal(app, world.org_a).count(("campaign.closed", "Campagne A")) == 1  # once

    code = format_code(read(app, Campaign, world.campaign_a).code)
    learner = client_as("learner")
    refused = submit(learner, "/apprenant/rejoindre", {"code": code})
    assert refused.status_code == 422
    assert "Cette évaluation est fermée : elle n'accepte plus de réponses." in text(refused)
    assert learner.get(f"/apprenant/campagne/{code}").status_code == 400

    reopened = trainer.post(page + "/ouvrir", data={"csrf_token": csrf_token(trainer, page)})
    assert reopened.status_code == 303
    assert journal(app, world.org_a)[-1] == ("campaign.opened", "Campagne A")
    assert learner.get(f"/apprenant/campagne/{code}").status_code == 200


def test_an_archived_campaign_refuses_new_sessions_too(app, world, client_as):
    trainer = client_as("trainer")
    page = f"/organisations/{world.org_a}/campagnes/{world.campaign_a}"
    trainer.post(page + "/archiver", data={"csrf_token": csrf_token(trainer, page)})
    assert journal(app, world.org_a)[-1] == ("campaign.archived", "Campagne A")
    code = format_code(read(app, Campaign, world.campaign_a).code)
    refused = submit(client_as("learner"), "/apprenant/rejoindre", {"code": code})
    assert "Cette évaluation est fermée" in text(refused)


def test_an_action_without_its_csrf_token_is_refused_and_changes_nothing(app, trainer, world):
    response = trainer.post(f"/organisations/{world.org_a}/campagnes/{world.campaign_a}/fermer")
    assert response.status_code == 400
    assert read(app, Campaign, world.campaign_a).closes_at is None


def test_the_journal_names_campaign_actions_in_french(app, world, client_as):
    trainer = client_as("trainer")
    page = f"/organisations/{world.org_a}/campagnes/{world.campaign_a}"
    trainer.post(page + "/fermer", data={"csrf_token": csrf_token(trainer, page)})
    shown = text(client_as("org_admin").get(f"/organisations/{world.org_a}/journal"))
    assert "Campagne fermée" in shown and "Campagne A" in shown


# ---------------------------------------------------------------------------------------------
# The learner's side of the link


def test_the_learner_is_told_their_results_go_to_their_association(app, world, client_as):
    code = format_code(read(app, Campaign, world.campaign_a).code)
    page = text(client_as("learner").get(f"/apprenant/campagne/{code}"))
    assert "Vos résultats seront envoyés à Association A." in page


def test_the_join_page_is_filled_in_with_the_code_of_its_link(world, client_as):
    page = text(client_as("learner").get("/apprenant/rejoindre?code=ABCD-EFGH"))
    assert 'value="ABCD-EFGH"' in page


def test_a_visitor_following_the_link_signs_in_and_lands_on_the_campaign(app, world, client):
    code = format_code(read(app, Campaign, world.campaign_a).code)
    response = client.get(f"/apprenant/campagne/{code}")
    assert response.status_code == 302
    assert f"next=/apprenant/campagne/{code}" in response.headers["Location"]


def test_a_learner_signing_in_for_the_first_time_from_the_link_lands_on_the_campaign(
    app, world, client
):
    from learners import accounts
    from learners.models import User
    from web.database import db

    with app.app_context():
        org = db.session.get(Organisation, world.org_a)
        created = accounts.create_learner_account(db.session, org, "Nina Leroy")
        db.session.commit()
        login, one_time_code = created.user.username, created.access_code
        code = format_code(db.session.get(Campaign, world.campaign_a).code)
    link = f"/apprenant/campagne/{code}"
    signed_in = submit(
        client, f"/connexion?next={link}", {"login": login, "password": one_time_code}
    )
    assert signed_in.headers["Location"] == f"/compte/mot-de-passe?next={link}"
    changed = submit(
        client,
        signed_in.headers["Location"],
        {
            "current_password": one_time_code,
            "new_password": "un mot de passe bien long",
            "confirm": "un mot de passe bien long",
        },
    )
    assert changed.status_code == 302 and changed.headers["Location"] == link
    assert "Vos résultats seront envoyés à Association A." in text(client.get(link))
    with app.app_context():
        assert not db.session.scalar(
            select(User).where(User.username == login)
        ).must_change_password


def test_the_poster_of_a_long_name_still_holds_on_one_page(app):
    from web.studio.campaign_poster import PosterContent, render_poster

    name = "Atelier " + "très long " * 19  # 198 characters, the longest a name may be
    content = PosterContent(
        campaign_name=name,
        organisation_name="Association au nom lui aussi assez long pour une ligne entière",
        code="ABCD-EFGH",
        link="https://jalon.example/apprenant/campagne/ABCD-EFGH",
        qr_png=qr_png("https://jalon.example/apprenant/campagne/ABCD-EFGH"),
        closes_on="15 mars 2027 à 23 h 59",
    )
    with app.test_request_context():  # French, the default
        reader = PdfReader(io.BytesIO(render_poster(content)))
    assert len(reader.pages) == 1
    words = " ".join(reader.pages[0].extract_text().split())
    assert name.strip() in words and "Ouvert jusqu'au 15 mars 2027 à 23 h 59." in words


def _poster_words(trainer, world) -> str:
    response = trainer.get(f"/organisations/{world.org_a}/campagnes/{world.campaign_a}/affiche.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(reader.pages[0].extract_text().split()), reader.metadata.title


def test_the_poster_follows_the_trainers_language(app, trainer, world):
    from datetime import UTC, datetime

    from web.database import db

    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign_a)
        campaign.closes_at = datetime(2099, 3, 15, 22, 59, tzinfo=UTC)  # 23 h 59 in Paris
        db.session.commit()
    french, title = _poster_words(trainer, world)
    assert "Association A vous propose" in french and "Votre code" in french
    assert "Ouvert jusqu'au 15 mars 2099 à 23 h 59." in french
    assert title.startswith("Affiche — ")
    trainer.get("/langue?lang=en&next=/")
    english, title = _poster_words(trainer, world)
    assert "Association A invites you" in english and "Your code" in english
    assert "Sign in to Jalon with your username." in english
    assert "Open until 15 March 2099 at 23:59." in english
    assert "Votre code" not in english and title.startswith("Poster — ")


def test_the_form_gives_framework_and_competence_titles_in_english_when_they_exist(trainer, world):
    trainer.get("/langue?lang=en&next=/")
    page = text(trainer.get(url(NEW, world)))
    assert "Test framework" in page and "1.1 Search" in page
    assert "4.1 Se protéger" in page  # no English title: the French one


def test_the_list_sorts_by_name_when_asked(app, trainer, world):
    from web.database import db

    with app.app_context():
        org = db.session.get(Organisation, world.org_a)
        framework = db.session.get(Campaign, world.campaign_a).assessment.framework
        make_campaign(
            db.session, framework, organisation=org, name="Zoé, atelier du jeudi", item_uids=None
        )
        db.session.commit()
    by_name = text(trainer.get(url(LIST, world) + "?tri=name"))
    assert by_name.index("Campagne A") < by_name.index("Zoé, atelier du jeudi")
    assert '<option value="name" selected>' in by_name
    recent = text(trainer.get(url(LIST, world) + "?tri=nimporte"))  # unknown: the default
    assert recent.index("Zoé, atelier du jeudi") < recent.index("Campagne A")  # newest first


def test_every_problem_the_domain_reports_has_its_sentence_on_the_form(app):
    from assessments.campaign_creation import MESSAGES
    from web.studio.campaign_forms import PROBLEM_MESSAGES

    assert PROBLEM_MESSAGES.keys() == MESSAGES.keys()
    with app.test_request_context("/"):  # French: the same sentence on both sides
        for code, french in MESSAGES.items():
            assert str(PROBLEM_MESSAGES[code]) == french.replace("{codes}", "%(codes)s"), code
