"""Browser fixtures for journey tests: a live Jalon on a free loopback port, Debian's Chromium
driven by Playwright, a login helper and an axe-core check.

    def test_something(live_server, page, login, assert_accessible):
        login(page, "formateur@passerelle.example")       # demo password by default
        page.get_by_role("link", name="Créer un compte apprenant").click()
        assert_accessible(page)                           # no serious/critical axe violation

The server runs in a thread of the test process on a fresh, migrated SQLite database with the
demo data loaded (one per test session: journeys create their own learners rather than
mutating the demo accounts). Without /usr/bin/chromium the browser tests are skipped with the
reason, except when CI=true, where a missing browser is an error.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: object

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from learners.demo import load_demo
    from web import create_app
    from web.database import db
    from web.schema import upgrade

    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'jalon.sqlite3'}"
    upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": "e2e-secret-key-not-for-production",
            "JALON_BASE_URL": "http://127.0.0.1",
            # Many journeys log in from the same address within a minute.
            "JALON_LOGIN_RATE_LIMIT": "1000 per minute",
            # …several of them as the same demo account.
            "JALON_LOGIN_ACCOUNT_RATE_LIMIT": "1000 per minute",
            # …and several journeys upload badges to /verifier within a minute.
            "JALON_VERIFIER_RATE_LIMIT": "1000 per minute",
        }
    )
    with app.app_context():
        load_demo(db.session)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["JALON_BASE_URL"] = base
    thread = threading.Thread(target=server.serve_forever, name="jalon-live", daemon=True)
    thread.start()
    try:
        yield LiveServer(base, app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def journey_server(live_server: LiveServer) -> LiveServer:
    """The live server with the demo's campaigns, issuers and achievements (what ``jalon demo``
    loads besides the accounts): demo learners can type TYPE-PA33 and earn badges."""
    from assessments import demo as assessments_demo
    from badges import demo as badges_demo
    from web.database import db

    app = live_server.app
    with app.app_context():
        assessments_demo.load(db.session)
        badges_demo.load(db.session, kek=app.config["JALON_KEY_ENCRYPTION_KEY"])
        db.session.commit()
    return live_server


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where browser tests leave screenshots and measurements: ``$JALON_TEST_ARTIFACTS`` or
    ``test-artifacts/`` at the repository root (git-ignored)."""
    folder = Path(
        os.environ.get("JALON_TEST_ARTIFACTS") or Path(__file__).parents[2] / "test-artifacts"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = (
            f"{CHROMIUM} is missing: install it with `sudo apt-get install chromium` "
            "(make test does it when run as root)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser, live_server):
    ctx = browser.new_context(base_url=live_server.url, locale="fr-FR")
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def login(live_server) -> Callable:
    """``login(page, "sdupont")``: fill the login form as a person would and submit it."""
    from learners.demo import DEMO_PASSWORD

    def do_login(page, user: str, password: str = DEMO_PASSWORD) -> None:
        page.goto(live_server("/connexion"))
        page.get_by_label("Adresse e-mail ou identifiant").fill(user)
        page.get_by_label("Mot de passe ou code d'accès").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()

    return do_login


AXE_REPORT: dict[str, Counter] = {}


@pytest.fixture
def axe_violations() -> Callable:
    """``axe_violations(page)`` → the axe-core violations of the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def run(page) -> list[dict]:
        violations = axe.run(page).response["violations"]
        AXE_REPORT[page.url] = Counter(v["impact"] for v in violations)
        return violations

    return run


@pytest.fixture
def assert_accessible(axe_violations) -> Callable:
    """Fail on any serious or critical axe-core violation, listing rule, help and elements."""

    def check(page) -> None:
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
        details = [
            f"{v['impact']}: {v['id']} — {v['help']} — "
            + ", ".join(node["target"][0] for node in v["nodes"][:3])
            for v in blocking
        ]
        assert not blocking, f"axe on {page.url}:\n" + "\n".join(details)

    return check


def pytest_terminal_summary(terminalreporter) -> None:
    if AXE_REPORT:
        terminalreporter.section("axe-core violations by impact")
        for url, counts in sorted(AXE_REPORT.items()):
            summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "none"
            terminalreporter.write_line(f"{url}: {summary}")
