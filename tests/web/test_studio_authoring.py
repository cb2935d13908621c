# ruff: noqa: E501 - the type fixtures read best one per line
"""The framework and item pages of the studio: a trainer writes a framework and items in forms,
bad input comes back on its field (422, nothing written), shipped content is read-only,
another organisation's is not found, imports are checked before anything is written."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from sqlalchemy import func, select

from assessments.models import (
    Competence,
    Domain,
    Framework,
    Item,
    ItemStatus,
    ItemType,
    ItemVersion,
)
from learners.models import AuditEvent
from tests.web.forms import csrf_token, submit, text


def _db():
    from web.database import db

    return db.session


def _framework(app, slug="mon-metier"):
    with app.app_context():
        return _db().scalar(select(Framework).where(Framework.slug == slug))


def _write_framework(client, world, slug="mon-metier"):
    """Create a framework with a domain and a competence through the pages; returns the URLs."""
    base = f"/organisations/{world.org_a}/referentiels"
    response = submit(client, f"{base}/nouveau", {"slug": slug, "title_fr": "Agent d'accueil"})
    assert response.status_code == 303
    framework_url = response.headers["Location"]
    response = submit(
        client, f"{framework_url}/domaines/nouveau", {"code": "1", "title_fr": "Accueillir"}
    )
    assert response.status_code == 303
    page = client.get(f"{framework_url}/competences/nouvelle").get_data(as_text=True)
    domain_id = re.search(r'<select[^>]*id="domain_id"[^>]*>\s*<option[^>]*value="(\d+)"', page)[1]
    response = submit(
        client,
        f"{framework_url}/competences/nouvelle",
        {
            "domain_id": domain_id,
            "code": "1.1",
            "title_fr": "Accueillir une personne",
            "levels-0-text_fr": "Dire bonjour.",
            "levels-2-text_fr": "Orienter la personne.",
            "alignments-0-framework": "ESCO",
            "alignments-0-url": "http://data.europa.eu/esco/skill/abc",
        },
    )
    assert response.status_code == 303, text(response)
    return framework_url


def _competence_url(app, framework_url, code="1.1"):
    framework = _framework(app)
    with app.app_context():
        competence = _db().scalar(
            select(Competence).where(
                Competence.framework_id == framework.id, Competence.code == code
            )
        )
        return f"{framework_url}/competences/{competence.id}"


QCU = {
    "level": "2",
    "instruction": "Quel logiciel sert à naviguer sur internet ?",
    "explanation": "Un navigateur affiche les sites.",
    "access_blind": "ok",
    "access_colour_blind": "ok",
    "access_deaf": "na",
    "choices-0-text": "Un navigateur",
    "choices-0-right": "y",
    "choices-1-text": "Un tableur",
}


def test_a_trainer_writes_a_framework_a_competence_and_a_qcu_item(app, world, client_as):
    client = client_as("trainer")
    framework_url = _write_framework(client, world)
    framework = _framework(app)
    assert framework.organisation_id == world.org_a
    competence_url = _competence_url(app, framework_url)
    response = submit(client, f"{competence_url}/questions/nouvelle/qcu", QCU)
    assert response.status_code == 303
    with app.app_context():
        item = _db().scalar(select(Item).where(Item.uid == "mon-metier-1.1-001"))
        assert (item.status, item.key, item.organisation_id) == (
            ItemStatus.DRAFT,
            "a",
            world.org_a,
        )
        assert [c["text"] for c in item.body["choices"]] == ["Un navigateur", "Un tableur"]
        actions = set(_db().scalars(select(AuditEvent.action)))
    assert {
        "framework.created",
        "framework.domain_saved",
        "framework.competence_saved",
        "item.created",
    } <= actions
    page = text(client.get(competence_url))
    assert "mon-metier-1.1-001" in page and "Brouillon" in page
    # The domain is renamed; a code another domain has is refused on its field.
    with app.app_context():
        domain_id = _db().scalar(select(Domain.id).where(Domain.framework_id == framework.id))
    edit_domain = f"{framework_url}/domaines/{domain_id}/modifier"
    submit(client, f"{framework_url}/domaines/nouveau", {"code": "2", "title_fr": "Informer"})
    response = submit(client, edit_domain, {"code": "2", "title_fr": "Accueil"})
    assert response.status_code == 422 and "un domaine a déjà ce code" in text(response)
    response = submit(client, edit_domain, {"code": "1", "title_fr": "Accueil du public"})
    assert response.status_code == 303
    assert "1 — Accueil du public" in text(client.get(framework_url))


def test_an_item_key_that_does_not_fit_comes_back_on_its_field_and_nothing_is_written(
    app, world, client_as
):
    client = client_as("trainer")
    competence_url = _competence_url(app, _write_framework(client, world))
    # Two right answers for a single-choice item: the key is not one choice.
    response = submit(
        client, f"{competence_url}/questions/nouvelle/qcu", {**QCU, "choices-1-right": "y"}
    )
    assert response.status_code == 422
    page = text(response)
    assert "Cochez une seule bonne réponse" in page
    assert 'href="#choices"' in page
    # A number that is no number.
    response = submit(
        client,
        f"{competence_url}/questions/nouvelle/number",
        {**QCU, "label": "Total", "value": "douze", "margin": "0"},
    )
    assert response.status_code == 422
    assert "Écrivez la bonne réponse en chiffres" in text(response)
    # No accepted answer for a short text.
    response = submit(client, f"{competence_url}/questions/nouvelle/qroc", {**QCU, "answers": ""})
    assert response.status_code == 422
    assert "Écrivez au moins une réponse acceptée" in text(response)
    with app.app_context():
        assert not _db().scalars(select(Item).where(Item.uid.startswith("mon-metier"))).all()


def test_number_qcm_and_qroc_items_are_written_from_their_forms(app, world, client_as):
    client = client_as("trainer")
    competence_url = _competence_url(app, _write_framework(client, world))
    common = {k: v for k, v in QCU.items() if not k.startswith("choices")}
    forms = {
        "number": {"label": "Total", "unit": "€", "value": "12,5", "margin": "0,01"},
        "qcm": {
            "choices-0-text": "Chrome",
            "choices-0-right": "y",
            "choices-1-text": "Excel",
            "choices-2-text": "Firefox",
            "choices-2-right": "y",
        },
        "qroc": {"answers": "navigateur\nun navigateur", "tolerance": ["t1", "t3"]},
    }
    for kind, fields in forms.items():
        response = submit(
            client, f"{competence_url}/questions/nouvelle/{kind}", {**common, **fields}
        )
        assert response.status_code == 303, text(response)
    with app.app_context():
        mine = select(Item).where(Item.uid.startswith("mon-metier"))
        items = {i.type.value: i for i in _db().scalars(mine)}
        assert items["number"].key == {"value": 12.5, "tolerance": 0.01}
        assert items["number"].body == {"label": "Total", "unit": "€"}
        assert items["qcm"].key == ["a", "c"]
        assert items["qroc"].key == ["navigateur", "un navigateur"]
        assert items["qroc"].tolerance == ["t1", "t3"]


def test_each_item_of_a_competence_links_to_its_preview_even_while_a_draft(app, world, client_as):
    """Found by the whole-journey test: a trainer who had just written an item had no way from
    its competence to see it as the learner will."""
    client = client_as("trainer")
    competence_url = _competence_url(app, _write_framework(client, world))
    submit(client, f"{competence_url}/questions/nouvelle/qcu", QCU)
    page = text(client.get(competence_url))
    preview = f"/organisations/{world.org_a}/banque/mon-metier-1.1-001"
    assert f'href="{preview}" aria-label="Aperçu de mon-metier-1.1-001"' in page
    shown = text(client.get(preview))
    assert "Quel logiciel sert à naviguer sur internet ?" in shown and "Un tableur" in shown


def test_validating_then_changing_the_key_makes_a_new_version(app, world, client_as):
    client = client_as("trainer")
    competence_url = _competence_url(app, _write_framework(client, world))
    submit(client, f"{competence_url}/questions/nouvelle/qcu", QCU)
    with app.app_context():
        item_id = _db().scalar(select(Item.id).where(Item.uid == "mon-metier-1.1-001"))
    framework_url = competence_url.split("/competences/")[0]
    status_url = f"{framework_url}/questions/{item_id}/statut"
    response = submit(client, status_url, {"status": "validated"}, form_path=competence_url)
    assert response.status_code == 303
    edit_url = f"{framework_url}/questions/{item_id}"
    page = text(client.get(edit_url))
    assert "Un navigateur" in page and "nouvelle version" in page
    response = submit(
        client,
        edit_url,
        {
            **QCU,
            "choices-0-right": "",
            "choices-1-right": "y",
            "choices-0-id": "a",
            "choices-1-id": "b",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        item = _db().get(Item, item_id)
        assert (item.version, item.key, item.status) == (2, "b", ItemStatus.VALIDATED)
        kept = _db().scalar(select(ItemVersion).where(ItemVersion.item_id == item_id))
        assert (kept.version, kept.content["key"]) == (1, "a")
        assert _db().scalar(select(AuditEvent).where(AuditEvent.action == "item.new_version"))
    # A status that cannot follow: validated → draft.
    response = submit(client, status_url, {"status": "draft"}, form_path=competence_url)
    assert response.status_code == 409


def test_an_items_earlier_versions_are_listed_and_each_previewed_read_only(app, world, client_as):
    client = client_as("trainer")
    competence_url = _competence_url(app, _write_framework(client, world))
    submit(client, f"{competence_url}/questions/nouvelle/qcu", QCU)
    with app.app_context():
        item_id = _db().scalar(select(Item.id).where(Item.uid == "mon-metier-1.1-001"))
    framework_url = competence_url.split("/competences/")[0]
    submit(
        client,
        f"{framework_url}/questions/{item_id}/statut",
        {"status": "validated"},
        form_path=competence_url,
    )
    edit_url = f"{framework_url}/questions/{item_id}"
    changed = {
        **QCU,
        "instruction": "Quel logiciel ouvre une page web ?",
        "choices-0-right": "",
        "choices-1-right": "y",
        "choices-0-id": "a",
        "choices-1-id": "b",
    }
    assert submit(client, edit_url, changed).status_code == 303
    page = text(client.get(edit_url))
    version_url = f"{edit_url}/versions/1"
    assert f'href="{version_url}"' in page
    assert "la suivante a changé : consigne, bonne réponse" in page
    bank_page = text(client.get(f"/organisations/{world.org_a}/banque/mon-metier-1.1-001"))
    assert f'href="{version_url}"' in bank_page  # the bank's page of the item lists it too
    with app.app_context():
        items_before = _db().scalar(select(func.count()).select_from(Item))
    response = client.get(version_url)
    assert response.status_code == 200
    shown = text(response)
    assert "Quel logiciel sert à naviguer sur internet ?" in shown  # the old instruction
    assert "Quel logiciel ouvre une page web ?" not in shown
    assert "inert" in shown and "Un navigateur" in shown
    assert "<li>consigne</li>" in shown and "<li>bonne réponse</li>" in shown
    with app.app_context():  # shown, never stored
        assert _db().scalar(select(func.count()).select_from(Item)) == items_before
        assert _db().get(Item, item_id).instruction == "Quel logiciel ouvre une page web ?"
    assert client.get(f"{edit_url}/versions/2").status_code == 404  # the current one
    assert client.get(f"{edit_url}/versions/9").status_code == 404
    # Another organisation's trainer finds nothing there.
    assert (
        client_as("trainer_b")
        .get(
            version_url.replace(f"/organisations/{world.org_a}/", f"/organisations/{world.org_b}/")
        )
        .status_code
        == 404
    )


def test_shipped_frameworks_are_read_only_and_others_are_not_found(app, world, client_as):
    from tests.assessments.factories import make_framework

    with app.app_context():
        shipped = make_framework(_db())
        _db().commit()
        shipped_id = shipped.id
    trainer_b = client_as("trainer")  # trainer of A
    base = f"/organisations/{world.org_a}/referentiels"
    page = text(trainer_b.get(base))
    assert "Référentiel d'essai" in page and "lecture seule" in page
    assert trainer_b.get(f"{base}/{shipped_id}").status_code == 200
    assert trainer_b.get(f"{base}/{shipped_id}/modifier").status_code == 403
    assert trainer_b.get(f"{base}/{shipped_id}/export.json").status_code == 403
    # B's own framework through A's space: not found.
    with app.app_context():
        own_b = Framework(
            slug="metier-b", version="1", title_fr="B", kind="levels", cut_points=[0.0],
            organisation_id=world.org_b,
        )  # fmt: skip
        _db().add(own_b)
        _db().commit()
        own_b_id = own_b.id
    assert trainer_b.get(f"{base}/{own_b_id}").status_code == 404
    assert "metier-b" not in text(trainer_b.get(base))


def test_the_framework_page_says_when_its_certification_registration_has_ended(
    app, world, client_as
):
    """Issue 13: an ended registration is not shown as current, nor an unconfirmed number."""
    from datetime import date

    from tests.assessments.factories import make_framework

    with app.app_context():
        framework_id = make_framework(_db()).id
        _db().commit()
    trainer = client_as("trainer")
    url = f"/organisations/{world.org_a}/referentiels/{framework_id}"
    assert "RNCP37674 Développeur web — enregistrée jusqu'au 01/09/2028" in text(trainer.get(url))
    with app.app_context():
        _db().get(Framework, framework_id).certification_valid_until = date(2026, 9, 1)
        _db().commit()
    page = text(trainer.get(url))
    assert "enregistrement échu le 01/09/2026 : les badges ne s'y alignent plus" in page
    assert "jusqu'au" not in page
    with app.app_context():
        _db().get(Framework, framework_id).certification_code = None
        _db().commit()
    assert "numéro non confirmé : les badges ne s'y alignent pas" in text(trainer.get(url))


def test_copying_a_shipped_framework_gives_drafts_to_validate(app, world, client_as):
    from tests.assessments.factories import make_framework

    with app.app_context():
        shipped_id = make_framework(_db()).id
        _db().commit()
    client = client_as("org_admin")
    base = f"/organisations/{world.org_a}/referentiels"
    response = submit(client, f"{base}/{shipped_id}/copier", {"slug": "essai", "title_fr": "X"})
    assert response.status_code == 422
    assert "déjà pris" in text(response)
    response = submit(
        client, f"{base}/{shipped_id}/copier", {"slug": "essai-a", "title_fr": "Essai de A"}
    )
    assert response.status_code == 303
    copy_url = response.headers["Location"]
    page = text(client.get(copy_url))
    assert "Copie créée : 12 question(s) en brouillon" in page and "12 brouillon" in page
    response = submit(client, f"{copy_url}/valider-brouillons", {})
    assert response.status_code == 303
    with app.app_context():
        statuses = set(_db().scalars(select(Item.status).where(Item.uid.startswith("essai-a-"))))
    assert statuses == {ItemStatus.VALIDATED}


def test_export_then_import_round_trips_with_a_dry_run_first(app, world, client_as):
    client = client_as("trainer")
    framework_url = _write_framework(client, world)
    competence_url = _competence_url(app, framework_url)
    submit(client, f"{competence_url}/questions/nouvelle/qcu", QCU)
    exported = client.get(f"{framework_url}/export.json")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    bundle = json.loads(exported.get_data(as_text=True))
    assert bundle["slug"] == "mon-metier" and len(bundle["items"]) == 1
    bundle["slug"] = "mon-metier-bis"
    bundle["items"][0]["id"] = "mon-metier-bis-1.1-001"
    import_url = f"/organisations/{world.org_a}/referentiels/import"
    payload = json.dumps(bundle).encode()
    from io import BytesIO

    response = client.post(
        import_url,
        data={"csrf_token": csrf_token(client, import_url), "file": (BytesIO(payload), "b.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = text(response)
    assert "Nouveau référentiel : mon-metier-bis@1" in page
    assert _framework(app, "mon-metier-bis") is None  # dry run: nothing written
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        f"{import_url}/confirmer",
        data={"csrf_token": csrf_token(client, import_url), "token": token},
    )
    assert response.status_code == 303
    assert _framework(app, "mon-metier-bis").organisation_id == world.org_a
    # The kept file went with the import: confirming again finds nothing.
    response = client.post(
        f"{import_url}/confirmer",
        data={"csrf_token": csrf_token(client, import_url), "token": token},
    )
    assert response.status_code == 422 and "plus disponible" in text(response)
    with app.app_context():
        assert _db().scalar(select(AuditEvent).where(AuditEvent.action == "framework.imported"))


def test_a_malformed_or_oversized_import_is_refused_in_french(app, world, client_as):
    from io import BytesIO

    client = client_as("trainer")
    import_url = f"/organisations/{world.org_a}/referentiels/import"

    def upload(payload: bytes):
        return client.post(
            import_url,
            data={
                "csrf_token": csrf_token(client, import_url),
                "file": (BytesIO(payload), "f.json"),
            },
            content_type="multipart/form-data",
        )

    def counts() -> tuple[int, int]:
        with app.app_context():
            return tuple(
                _db().scalar(select(func.count()).select_from(model))
                for model in (Framework, Domain)
            )

    before = counts()
    response = upload(b'{\n  "slug": "x",\n  oops\n}')
    assert response.status_code == 422
    assert "ligne 3" in text(response) and "JSON invalide" in text(response)
    response = upload(json.dumps({"slug": "x", "domains": []}).encode())
    assert response.status_code == 422
    assert "liste non vide de domaines attendue" in text(response)
    app.config["JALON_MAX_CONTENT_IMPORT_BYTES"] = 100
    response = upload(b" " * 200)
    assert response.status_code == 422
    assert "trop gros" in text(response)
    assert counts() == before  # nothing written


OTHER_TYPES = {
    "qrocm_ind": (
        {
            "fields-0-label": "Ville",
            "fields-0-answers": "Paris ; paris 1er",
            "fields-1-label": "Code postal",
            "fields-1-answers": "75001",
        },
        {"fields": [{"id": "f1", "label": "Ville"}, {"id": "f2", "label": "Code postal"}]},
        {"f1": ["Paris", "paris 1er"], "f2": ["75001"]},
    ),
    "qrocm_dep": (
        {
            "fields-0-label": "Navigateur 1",
            "fields-1-label": "Navigateur 2",
            "required": "2",
            "groups": "chrome ; google chrome\nfirefox\nedge",
        },
        {"fields": [{"id": "f1", "label": "Navigateur 1"}, {"id": "f2", "label": "Navigateur 2"}]},
        {"required": 2, "answers": [["chrome", "google chrome"], ["firefox"], ["edge"]]},
    ),
    "ordering": (
        {"steps-0-text": "Allumer", "steps-1-text": "Se connecter", "steps-2-text": "Ouvrir"},
        {"items": [{"id": "s1", "text": "Allumer"}, {"id": "s2", "text": "Se connecter"}, {"id": "s3", "text": "Ouvrir"}]},
        ["s1", "s2", "s3"],
    ),
    "matching": (
        {"pairs-0-left": "PDF", "pairs-0-right": "Document", "pairs-1-left": "JPG",
         "pairs-1-right": "Image", "pairs-2-right": "Musique"},
        {"left": [{"id": "l1", "text": "PDF"}, {"id": "l2", "text": "JPG"}],
         "right": [{"id": "r1", "text": "Document"}, {"id": "r2", "text": "Image"}, {"id": "r3", "text": "Musique"}]},
        {"l1": "r1", "l2": "r2"},
    ),
}  # fmt: skip
BROKEN = {
    "qrocm_ind": ({"fields-0-label": "Ville", "fields-0-answers": ""}, "Donnez au moins une réponse"),
    "qrocm_dep": ({"fields-0-label": "Navigateur", "required": "3", "groups": "chrome"}, "ne peut pas dépasser"),
    "ordering": ({"steps-0-text": "Seule étape"}, "au moins deux"),
    "matching": ({"pairs-0-left": "PDF"}, "Remplissez chaque paire"),
}  # fmt: skip


def test_the_other_text_and_list_types_are_written_from_their_forms(app, world, client_as):
    client = client_as("trainer")
    competence_url = _competence_url(app, _write_framework(client, world))
    common = {k: v for k, v in QCU.items() if not k.startswith("choices")}
    for kind, (fields, body, key) in OTHER_TYPES.items():
        new_url = f"{competence_url}/questions/nouvelle/{kind}"
        broken, message = BROKEN[kind]
        response = submit(client, new_url, {**common, **broken})
        assert response.status_code == 422, kind
        assert message in text(response), kind
        response = submit(client, new_url, {**common, **fields})
        assert response.status_code == 303, (kind, text(response))
        with app.app_context():
            item = _db().scalar(
                select(Item).where(Item.uid.startswith("mon-metier"), Item.type == kind)
            )
            assert (item.body, item.key) == (body, key), kind
        # Its edit page shows it back, and saving it unchanged keeps it as it is.
        edit_url = f"{competence_url.split('/competences/')[0]}/questions/{item.id}"
        page = client.get(edit_url)
        assert page.status_code == 200
        assert fields[next(iter(fields))].split(" ;")[0] in text(page)


class _FormValues(HTMLParser):
    """The values a browser would post from the page's item form (the one with a « level »)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._selected_seen = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind == "submit":
                return
            self.values.setdefault(name, []).append(
                a.get("value") or ("y" if kind == "checkbox" else "")
            )
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.setdefault(self._select, []).append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values.setdefault(name, []).append("")

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea" and self._textarea:
            # Browsers drop the first newline after <textarea>.
            value = self.values[self._textarea][-1]
            self.values[self._textarea][-1] = value[1:] if value.startswith("\n") else value
            self._textarea = None


def _posted(page: str) -> dict:
    form = page[page.index('<form method="post" enctype="multipart/form-data" novalidate>') :]
    parser = _FormValues()
    parser.feed(form[: form.index("</form>")])
    return {k: v if len(v) > 1 else v[0] for k, v in parser.values.items()}


TASKS = {
    "task_phishing": (
        {"presentation": "message", "samples-0-sender": "banque@exemple.fr", "samples-0-subject": "Relevé",
         "samples-0-text": "Votre relevé est prêt.", "samples-1-sender": "gain@arnaque.example",
         "samples-1-subject": "Vous avez gagné !", "samples-1-url": "https://arnaque.example", "samples-1-scam": "y"},
        {"kind": "message", "samples": [
            {"id": "s1", "from": "banque@exemple.fr", "subject": "Relevé", "body": "Votre relevé est prêt."},
            {"id": "s2", "from": "gain@arnaque.example", "subject": "Vous avez gagné !", "url": "https://arnaque.example"}]},
        ["s2"],
    ),
    "task_form": (
        {"site": "Mes aides (fictif)", "situation": "Sam Dupont, né le 12 mai 1984, célibataire.",
         "form_fields-0-label": "Nom", "form_fields-0-kind": "text", "form_fields-0-expected": "Dupont",
         "form_fields-1-label": "Date de naissance", "form_fields-1-kind": "date", "form_fields-1-expected": "12/05/1984",
         "form_fields-2-label": "Situation", "form_fields-2-kind": "radio",
         "form_fields-2-options": "Célibataire\nMarié", "form_fields-2-expected": "Célibataire"},
        {"site": "Mes aides (fictif)", "situation": "Sam Dupont, né le 12 mai 1984, célibataire.", "fields": [
            {"id": "nom", "label": "Nom", "kind": "text"},
            {"id": "date-de-naissance", "label": "Date de naissance", "kind": "date"},
            {"id": "situation", "label": "Situation", "kind": "radio",
             "options": [{"id": "celibataire", "text": "Célibataire"}, {"id": "marie", "text": "Marié"}]}]},
        {"nom": ["Dupont"], "date-de-naissance": ["1984-05-12"], "situation": "celibataire"},
    ),
    "task_webmail": (
        {"owner": "sam@exemple.fr", "messages-0-sender": "caf@exemple.fr", "messages-0-subject": "Dossier",
         "messages-0-text": "Envoyez votre CV à conseil@exemple.fr.", "files": "CV_Dupont.pdf",
         "action": "forward", "target": "1", "to": "conseil@exemple.fr", "attach": "CV_Dupont.pdf",
         "body_contains": "CV"},
        {"mailbox": {"owner": "sam@exemple.fr", "messages": [
            {"id": "m1", "from": "caf@exemple.fr", "to": "sam@exemple.fr", "subject": "Dossier",
             "body": "Envoyez votre CV à conseil@exemple.fr.", "attachments": []}],
            "files": [{"id": "cv-dupont-pdf", "name": "CV_Dupont.pdf"}]}},
        {"action": "forward", "message": "m1", "to": ["conseil@exemple.fr"], "attachments": ["cv-dupont-pdf"],
         "body_contains": ["CV"]},
    ),
    "task_procedure": (
        {"situation": "Connectez-vous avec FranceConnect.",
         "screens": '[{"id": "s1", "site": "franceconnect.gouv.fr", "title": "Choisir un compte", '
                    '"choices": [{"id": "ameli", "text": "ameli.fr"}, {"id": "msa", "text": "MSA"}]}]',
         "procedure_key": '{"s1": "ameli"}'},
        {"situation": "Connectez-vous avec FranceConnect.", "screens": [
            {"id": "s1", "site": "franceconnect.gouv.fr", "title": "Choisir un compte",
             "choices": [{"id": "ameli", "text": "ameli.fr"}, {"id": "msa", "text": "MSA"}]}]},
        {"s1": "ameli"},
    ),
}  # fmt: skip
TASKS_BROKEN = {
    "task_phishing": ({"samples-0-scam": "y"}, "Écrivez au moins un exemple"),
    "task_form": ({"form_fields-0-label": "Situation", "form_fields-0-kind": "radio"}, "besoin d'options"),
    "task_webmail": ({"messages-0-sender": "a@exemple.fr", "action": "forward", "attach": "absent.pdf"}, "doivent exister"),
    "task_procedure": ({"screens": '[{"id": "s1",', "procedure_key": "{}"}, "JSON valide (ligne 1)"),
}  # fmt: skip


def test_practice_tasks_are_written_from_guided_forms(app, world, client_as):
    client = client_as("trainer")
    competence_url = _competence_url(app, _write_framework(client, world))
    common = {k: v for k, v in QCU.items() if not k.startswith("choices")}
    for kind, (fields, body, key) in TASKS.items():
        new_url = f"{competence_url}/questions/nouvelle/{kind}"
        broken, message = TASKS_BROKEN[kind]
        response = submit(client, new_url, {**common, **broken})
        assert response.status_code == 422, kind
        assert message in text(response), kind
        response = submit(client, new_url, {**common, **fields})
        assert response.status_code == 303, (kind, text(response))
        with app.app_context():
            item = _db().scalar(
                select(Item).where(Item.uid.startswith("mon-metier"), Item.type == kind)
            )
            assert (item.body, item.key) == (body, key), kind


def test_every_type_of_item_comes_back_unchanged_through_its_form(app, world, client_as):
    """A copy of the test framework holds an item of every type: opening each in its form and
    saving it without a change keeps its body and key (same ids), so no new version."""
    from assessments import org_content
    from learners.models import Organisation
    from tests.assessments.factories import make_framework

    with app.app_context():
        shipped = make_framework(_db())
        org = _db().get(Organisation, world.org_a)
        copy = org_content.copy_framework(_db(), org.id, shipped, "essai-a", "Essai").framework
        for item in _db().scalars(select(Item).where(Item.uid.startswith("essai-a-"))):
            item.status = ItemStatus.VALIDATED
        _db().commit()
        items = {
            i.id: (i.type.value, i.body, i.key)
            for i in _db().scalars(select(Item).where(Item.uid.startswith("essai-a-")))
        }
        copy_id = copy.id
    client = client_as("trainer")
    assert len({kind for kind, _, _ in items.values()}) == len(ItemType)
    for item_id, (kind, body, key) in items.items():
        url = f"/organisations/{world.org_a}/referentiels/{copy_id}/questions/{item_id}"
        page = client.get(url)
        assert page.status_code == 200, kind
        response = client.post(url, data=_posted(page.get_data(as_text=True)))
        assert response.status_code == 303, (kind, text(response)[:3000])
        with app.app_context():
            item = _db().get(Item, item_id)
            assert (item.version, item.body, item.key) == (1, body, key), kind
