"""A trainer designs badges in Chromium: one with an uploaded PNG and two alignments (an RNCP
certification with its dates, a competence of a framework), one with an SVG after a hostile
SVG is refused; each is previewed (image, employer's page, JSON), saved as a draft, published,
and appears in the organisation's list. axe on every page; the pages fit a 360 px phone."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.test_studio_authoring import fits_phone

GOOD_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
    '<circle cx="50" cy="50" r="45" fill="#7a1fa8"/><text x="50" y="58" font-size="20" '
    'text-anchor="middle" fill="#fff">Fibre</text></svg>'
)
HOSTILE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><rect/></svg>'
)


def _png(path):
    out = io.BytesIO()
    Image.new("RGBA", (200, 200), (31, 95, 168, 255)).save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


def _describe(page, name: str) -> None:
    page.locator("#name").fill(name)
    page.locator("#description").fill("Sait accueillir et orienter une personne au guichet.")
    page.locator("#criteria").fill(
        "Mise en situation **réussie** au plateau technique :\n\n- accueil\n- orientation"
    )
    page.locator("#achievement_type").select_option("Competency")
    page.locator("#tags").fill("accueil, plateau technique")
    page.locator("#validity_months").fill("24")


def _open_new_badge_form(page, login, live_server, assert_accessible):
    login(page, "formateur@passerelle.example")
    page.get_by_role("link", name="Badges", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Badges de la structure")
    assert_accessible(page)
    fits_phone(page)
    page.get_by_role("button", name="Créer un badge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un badge")


def _preview_save_publish(page, assert_accessible, name: str) -> None:
    page.get_by_role("button", name="Voir l'aperçu").click()
    preview = page.locator("[data-preview]")
    expect(preview.get_by_role("heading", name="Aperçu avant publication")).to_be_visible()
    expect(preview.locator(".badge-preview-image img")).to_be_visible()
    expect(preview).to_contain_text(name)
    expect(preview).to_contain_text("Camille Exemple (aperçu)")
    expect(preview.locator("[data-schema]")).to_have_attribute("data-schema", "valid")
    expect(preview.locator(".criteria strong")).to_have_text("réussie")
    preview.get_by_text("Le badge au format Open Badges 3.0").click()
    expect(preview.locator(".credential-json")).to_contain_text('"OpenBadgeCredential"')
    assert_accessible(page)
    fits_phone(page)
    page.get_by_role("button", name="Enregistrer ce badge tel quel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator(".badge-summary")).to_contain_text("Brouillon")
    assert_accessible(page)
    page.get_by_role("button", name="Publier le badge").click()
    expect(page.locator(".badge-summary")).to_contain_text("Publié")


def test_a_trainer_designs_a_badge_with_a_png_and_alignments_then_publishes_it(
    journey_server, page, login, assert_accessible, tmp_path
):
    _open_new_badge_form(page, login, journey_server, assert_accessible)
    assert_accessible(page)
    fits_phone(page)
    _describe(page, "Accueil au guichet (e2e)")
    page.get_by_label("Mon image (PNG ou SVG, 512 Ko au plus)").check()
    page.locator("#image_file").set_input_files(str(_png(tmp_path / "badge.png")))
    page.locator("#image_alt").fill("Rond bleu")
    page.locator("#alignments-0-kind").select_option("rncp")
    page.locator("#alignments-0-target").fill("RNCP37674")
    page.locator("#alignments-0-name").fill("Agent d'accueil")
    page.locator("#alignments-0-valid_from").fill("2023-01-01")
    page.locator("#alignments-0-valid_until").fill("2028-01-01")
    page.locator("#alignments-1-kind").select_option("competence")
    page.locator("#alignments-1-competence").select_option(index=1)
    _preview_save_publish(page, assert_accessible, "Accueil au guichet (e2e)")
    expect(page.locator("[data-preview]")).to_contain_text("RNCP37674")
    # The badge's page leads to its award rule (built on the rule page).
    page.get_by_role("link", name="Voir ou modifier la règle d'obtention").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Règle d'obtention : Accueil au guichet (e2e)"
    )
    page.get_by_role("navigation", name="Fil d'Ariane").get_by_role(
        "link", name="Accueil au guichet (e2e)"
    ).click()

    page.get_by_role("link", name="Badges", exact=True).click()
    row = page.get_by_role("row", name="Accueil au guichet (e2e)")
    expect(row).to_contain_text("Publié")


def test_a_hostile_svg_is_refused_then_a_clean_svg_makes_a_badge(
    journey_server, page, login, assert_accessible, tmp_path
):
    _open_new_badge_form(page, login, journey_server, assert_accessible)
    _describe(page, "Fibre optique (e2e)")
    page.get_by_label("Mon image (PNG ou SVG, 512 Ko au plus)").check()
    hostile = tmp_path / "hostile.svg"
    hostile.write_text(HOSTILE_SVG)
    page.locator("#image_file").set_input_files(str(hostile))
    page.locator("#image_alt").fill("Rond violet avec le mot Fibre")
    page.get_by_role("button", name="Voir l'aperçu").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "Image SVG refusée : elle contient du code lancé par un événement"
    )
    assert_accessible(page)
    expect(page.locator("#name")).to_have_value("Fibre optique (e2e)")  # nothing typed is lost

    clean = tmp_path / "fibre.svg"
    clean.write_text(GOOD_SVG)
    page.locator("#image_file").set_input_files(str(clean))
    _preview_save_publish(page, assert_accessible, "Fibre optique (e2e)")
    src = page.locator("[data-preview] .badge-preview-image img").get_attribute("src")
    assert src.startswith("data:image/svg+xml;base64,")

    page.get_by_role("link", name="Badges", exact=True).click()
    expect(page.get_by_role("row", name="Fibre optique (e2e)")).to_contain_text("Publié")
