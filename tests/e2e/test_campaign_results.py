"""In real Chromium: a learner finishes the demo tour; the trainer opens the campaign's results,
finds the row, downloads the CSV and the XLSX (both equal to the table on the page), opens the
learner's record and downloads the individual report (its QR codes open the badges' public
pages). axe-core finds no violation on the new pages, which fit a 360 px phone."""

from __future__ import annotations

import csv
import io
import itertools
import re

import pytest
import zxingcpp
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.journey_steps import log_out, take_tour

TOUR_CODE = "TYPE-PA33"
TRAINER = "formateur@passerelle.example"
PASSWORD = "resultats de campagne 2026"
NAME = "Rémi Résultat"
_numbers = itertools.count(1)
TABLE_CELLS = """() => Array.from(document.querySelectorAll('#results-table tr')).map(row =>
  Array.from(row.querySelectorAll('th, td')).map(cell => {
    const copy = cell.cloneNode(true);
    copy.querySelectorAll('.visually-hidden').forEach(hidden => hidden.remove());
    const text = copy.textContent.replace(/\\s+/g, ' ').trim();
    return text === '—' ? '' : text;
  }))"""
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
WIDE = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)"""
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def taken(journey_server, page, login):
    """A fresh learner of Passerelle who finished the tour; (organisation id, campaign id)."""
    from sqlalchemy import select

    from assessments.models import Campaign
    from learners import accounts, demo
    from learners.models import Organisation, Role
    from web.database import db

    user = f"resultats{next(_numbers)}"
    with journey_server.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == demo.PASSERELLE[0]))
        accounts.create_user(
            db.session,
            display_name=NAME,
            password=PASSWORD,
            username=user,
            memberships=((org, Role.LEARNER),),
        )
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "TYPEPA33"))
        db.session.commit()
        ids = (org.id, campaign.id)
    login(page, user, PASSWORD)
    take_tour(page, journey_server, TOUR_CODE, lambda *_: None)
    log_out(page)
    return ids


def no_violation(axe_violations, page) -> None:
    found = axe_violations(page)
    assert not found, [f"{v['impact']}: {v['id']} — {v['help']}" for v in found]


def downloaded(page, name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=name).click()
    return info.value.path().read_bytes()


def xlsx_rows(data: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(data)).active

    def shown(value) -> str:
        if value is None:
            return ""
        return value.strftime("%d/%m/%Y %H:%M") if hasattr(value, "strftime") else str(value)

    return [[shown(value) for value in row] for row in sheet.iter_rows(values_only=True)]


def test_trainer_reads_the_results_downloads_them_and_the_report(
    journey_server, taken, page, login, axe_violations, browser, artifacts_dir
):
    org_id, campaign_id = taken
    results = f"/organisations/{org_id}/campagnes/{campaign_id}/resultats"
    login(page, TRAINER)
    page.goto(journey_server(results))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Résultats de la campagne")
    row = page.locator("#results-table tbody tr", has_text=NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Terminée")
    no_violation(axe_violations, page)
    page.screenshot(path=artifacts_dir / "desktop-resultats-campagne.png", full_page=True)

    table = page.evaluate(TABLE_CELLS)
    mine = next(r for r in table if r[0] == NAME)
    badges = table[0].index("Badges obtenus")
    assert mine[badges], "the tour earns badges: they are in the row"
    csv_data = downloaded(page, "Télécharger le tableau (CSV)")
    assert csv_data.startswith("\ufeff".encode())
    assert list(csv.reader(io.StringIO(csv_data.decode("utf-8-sig")), delimiter=";")) == table
    assert xlsx_rows(downloaded(page, "Télécharger le tableau (Excel)")) == table

    # Sorting works without JavaScript: a link per column.
    page.get_by_role("link", name=re.compile(r"^Score")).click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Score")

    page.goto(journey_server(results))
    page.get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.locator("#badges-table")).to_contain_text("Actif")
    no_violation(axe_violations, page)
    record = page.url
    with page.expect_download() as info:
        page.get_by_role("button", name="Télécharger le bilan individuel (PDF)").click()
    reader = PdfReader(io.BytesIO(info.value.path().read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Bilan individuel" in text and NAME in text
    codes = [
        found.text
        for p in reader.pages
        for image in p.images
        for found in zxingcpp.read_barcodes(image.image)
    ]
    assert codes and all(code.startswith(journey_server("/c/")) for code in codes)

    phone = browser.new_context(base_url=journey_server.url, locale="fr-FR", **PHONE)
    try:
        small = phone.new_page()
        login(small, TRAINER)
        for name, path in (("resultats-campagne", results), ("fiche-apprenant", record)):
            small.goto(journey_server(path) if path.startswith("/") else path)
            small.screenshot(path=artifacts_dir / "phone" / f"{name}.png", full_page=True)
            assert small.evaluate(FITS), f"{path} is wider than a 360 px phone: " + str(
                small.evaluate(WIDE)
            )
            no_violation(axe_violations, small)
    finally:
        phone.close()
