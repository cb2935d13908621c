"""axe-core on every page of the beneficiary's and the employer's journey, once in French and
once in English (``?lang=en``): login, home, join, campaign, one item of each type (and the
practice mailbox's opened message and draft), results, « Mes badges », the badge page,
/c/<id>, /verifier and its result. No serious or critical violation anywhere; every finding,
whatever its impact, is written to ``test-artifacts/axe-journey.txt``."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from playwright.sync_api import Page, expect

from learners.demo import DEMO_PASSWORD
from tests.e2e.conftest import BLOCKING_IMPACTS
from tests.e2e.journey_steps import (
    TOUR_ITEMS,
    answer_by_clicks,
    current_item,
    download,
    log_in,
    log_out,
    open_first_badge,
    publish_badge,
    verdict,
)

CODE = "TYPE-AT77"
LEARNER = "kmartin"


def with_lang(url: str, lang: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "lang"] + [("lang", lang)]
    return urlunsplit(parts._replace(query=urlencode(query)))


class Sweep:
    """Runs axe on a page in French, then the same address in English, then back."""

    def __init__(self, axe_violations) -> None:
        self.axe = axe_violations
        self.found: dict[tuple[str, str], list[dict]] = {}

    def check(self, page: Page, name: str, lang: str) -> None:
        expect(page.locator("html")).to_have_attribute("lang", lang)
        self.found[(name, lang)] = self.axe(page)

    def __call__(self, page: Page, name: str) -> None:
        url = page.url
        self.check(page, name, "fr")
        page.goto(with_lang(url, "en"))
        self.check(page, name, "en")
        page.goto(url)

    def blocking(self) -> list[str]:
        return [
            f"{name} [{lang}] {v['impact']}: {v['id']} — {v['help']} — "
            + ", ".join(str(node["target"]) for node in v["nodes"][:3])
            for (name, lang), violations in self.found.items()
            for v in violations
            if v["impact"] in BLOCKING_IMPACTS
        ]

    def report(self) -> str:
        lines = []
        for (name, lang), violations in self.found.items():
            summary = (
                ", ".join(f"{v['impact']} {v['id']} ×{len(v['nodes'])}" for v in violations)
                or "none"
            )
            lines.append(f"{name:<34} {lang}  {summary}")
        return "\n".join(lines)


def test_every_journey_page_passes_axe_in_french_and_english(
    browser, journey_server, axe_violations, artifacts_dir, tmp_path
):
    server = journey_server
    context = browser.new_context(base_url=server.url, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    sweep = Sweep(axe_violations)
    try:
        log_in(page, server, LEARNER, DEMO_PASSWORD, sweep)
        page.get_by_role("button", name="J'ai un code d'évaluation").click()
        sweep(page, "rejoindre")
        page.goto(server(f"/apprenant/campagne/{CODE}"))
        expect(page.get_by_role("button", name="Commencer")).to_be_visible()
        sweep(page, "campagne")
        page.get_by_role("button", name="Commencer").click()
        for number in range(1, TOUR_ITEMS + 1):
            expect(page.get_by_text(f"Question {number} sur {TOUR_ITEMS}")).to_be_visible()
            item = current_item(server, page)
            sweep(page, f"question {number} ({item.type.value})")
            answer_by_clicks(page, item, sweep)
        expect(page).to_have_url(re.compile(r"/resultats$"))
        sweep(page, "résultats")
        badge_id = open_first_badge(page, sweep)
        publish_badge(page, sweep)
        png = download(page, "Télécharger mon badge (image)", tmp_path)
        log_out(page)

        page.goto(server(f"/c/{badge_id}"))
        assert verdict(page) == "valid"
        sweep(page, "badge public")
        for lang in ("fr", "en"):
            page.goto(server(f"/verifier?lang={lang}"))
            sweep.check(page, "vérifier un badge", lang)
            page.locator("#badge_file").set_input_files(str(png))
            page.locator("form[enctype] button[type=submit]").click()
            assert verdict(page) == "valid"
            sweep.check(page, "vérification du fichier", lang)
    finally:
        context.close()

    report = sweep.report()
    (artifacts_dir / "axe-journey.txt").write_text(report + "\n", encoding="utf-8")
    print("\naxe-core per page and language:\n" + report)
    visited = {name for name, _lang in sweep.found}
    assert len([n for n in visited if n.startswith("question ")]) == TOUR_ITEMS
    assert {lang for _name, lang in sweep.found} == {"fr", "en"}
    assert len(sweep.found) == 2 * len(visited)
    assert not sweep.blocking(), "axe-core:\n" + "\n".join(sweep.blocking())
