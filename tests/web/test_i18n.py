"""French by default, English from the switcher; catalogs complete."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tests.web.forms import text

TRANSLATIONS = Path(__file__).parents[2] / "web" / "translations"


def test_french_is_the_default_whatever_the_browser_says(client):
    response = client.get("/connexion", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="fr">' in text(response)
    assert "Se connecter" in text(response)


def test_switcher_sets_english_and_returns_to_the_page(client):
    response = client.get("/langue?lang=en&next=/mot-de-passe-oublie")
    assert response.status_code == 302
    assert response.headers["Location"] == "/mot-de-passe-oublie"
    assert "jalon_lang=en" in response.headers["Set-Cookie"]
    page = text(client.get("/mot-de-passe-oublie"))
    assert '<html lang="en">' in page
    assert "Forgotten password" in page
    assert 'lang="fr" class="secondary outline">Français</button>' in page
    back = client.get("/langue?lang=fr&next=/connexion")
    assert back.status_code == 302
    assert '<html lang="fr">' in text(client.get("/connexion"))


def test_switcher_never_redirects_off_site(client):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.get("/langue", query_string={"lang": "en", "next": target})
        assert response.headers["Location"] == "/"


def test_error_pages_follow_the_language(client):
    client.get("/langue?lang=en&next=/")
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_template_strings_follow_a_locale_changed_within_the_request(app):
    """Templates hold the request's catalogue between strings (web/setup.py): a forced locale
    (a mail, the API's bilingual messages) or a refreshed one is followed at once, and the page's
    own language comes back after it."""
    from flask import render_template_string
    from flask_babel import force_locale, refresh

    page = "{{ _('Se connecter') }}"
    with app.test_request_context("/connexion?lang=en"):
        assert render_template_string(page) == "Log in"
        with force_locale("fr"):
            assert render_template_string(page) == "Se connecter"
        assert render_template_string(page) == "Log in"
        refresh()
        assert render_template_string(page) == "Log in"
    with app.test_request_context("/connexion"):  # another request: French again
        assert render_template_string(page) == "Se connecter"


def test_template_gettext_formats_escapes_and_translates_as_jinja_does(app):
    """``_()`` (web/setup.py): the translation, its variables escaped into it, ``%%`` read as
    ``%`` whether or not there are variables, the message itself kept as markup, and
    ``{% trans %}`` blocks alike."""
    from flask import render_template_string

    with app.test_request_context("/connexion?lang=en"):
        assert render_template_string("{{ _('Se connecter') }}") == "Log in"
        assert render_template_string("{{ _('50 %% de <b>') }}") == "50 % de <b>"  # trusted
        assert (
            render_template_string("{{ _('%(who)s a 100 %%', who=who) }}", who="<i>Léa</i>")
            == "&lt;i&gt;Léa&lt;/i&gt; a 100 %"
        )
        assert render_template_string("{% trans n=3 %}{{ n }} sur 4{% endtrans %}") == "3 sur 4"
        assert render_template_string("{{ gettext('Se connecter') }}") == "Log in"
    with app.test_request_context("/connexion"):
        assert render_template_string("{{ _('Se connecter') }}") == "Se connecter"


def test_every_message_has_an_english_translation():
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="en")
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_catalog_template_is_up_to_date(tmp_path):
    """Every string in the code is in messages.pot (run `make messages` after adding text)."""
    root = TRANSLATIONS.parents[1]
    fresh = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [
            pybabel,
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    with fresh.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        have = {m.id for m in read_po(handle) if m.id}
    assert not wanted - have, sorted(wanted - have)
