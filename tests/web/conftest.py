"""Web fixtures: ``world`` (two associations with a campaign each, a département, the platform,
one user per role)
and ``client_as(role)`` giving a test client signed in as that role's user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from learners.models import OrganisationKind, Role
from tests.assessments.factories import make_campaign, make_framework, make_own_framework
from tests.learners.factories import make_learner, make_organisation, make_user
from tests.web.forms import login_as

ROLES = ("anonymous", "learner", "trainer", "org_admin", "department", "platform_admin")


class BrowserLikeClient(FlaskClient):
    """Sends a same-origin ``Referer`` on POST as browsers do (CSRF checks it over https)."""

    def open(self, *args, **kwargs):
        method = kwargs.get("method") or (
            args[0].method if args and hasattr(args[0], "method") else "GET"
        )
        if method.upper() == "POST":
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("Referer", "https://localhost/")
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def _browser_like_clients(app) -> None:
    app.test_client_class = BrowserLikeClient


@dataclass(frozen=True)
class World:
    """Ids only (objects would be detached): format URLs with ``str.format(**world.ids)``."""

    org_a: int
    org_b: int
    departement: int
    platform: int
    learner: int
    trainer: int
    org_admin: int
    department: int
    platform_admin: int
    learner_b: int
    trainer_b: int
    campaign_a: int
    campaign_b: int

    @property
    def ids(self) -> dict[str, int]:
        return self.__dict__


@pytest.fixture
def world(app) -> World:
    from web.database import db

    with app.app_context():
        org_a = make_organisation(db.session, "Association A")
        org_b = make_organisation(db.session, "Association B")
        departement = make_organisation(db.session, "Département", OrganisationKind.DEPARTEMENT)
        platform = make_organisation(db.session, "Plateforme", OrganisationKind.PLATFORM)
        made = {
            "learner": make_learner(db.session, org_a, login="learner-a").user,
            "trainer": make_user(db.session, Role.TRAINER, org_a, login="trainer-a@test.example"),
            "org_admin": make_user(db.session, Role.ORG_ADMIN, org_a, login="admin-a@test.example"),
            "department": make_user(
                db.session, Role.DEPARTMENT, departement, login="dept@test.example"
            ),
            "platform_admin": make_user(
                db.session, Role.PLATFORM_ADMIN, platform, login="root@test.example"
            ),
            "learner_b": make_learner(db.session, org_b, login="learner-b").user,
            "trainer_b": make_user(db.session, Role.TRAINER, org_b, login="trainer-b@test.example"),
        }
        framework = make_framework(db.session)
        campaign_a = make_campaign(db.session, framework, organisation=org_a, name="Campagne A")
        campaign_b = make_campaign(db.session, framework, organisation=org_b, name="Campagne B")
        db.session.commit()
        return World(
            org_a=org_a.id,
            org_b=org_b.id,
            departement=departement.id,
            platform=platform.id,
            **{name: user.id for name, user in made.items()},
            campaign_a=campaign_a.id,
            campaign_b=campaign_b.id,
        )


@pytest.fixture
def studio_content(app, world) -> dict[str, int]:
    """Frameworks written in the studio, for URLs: A's, B's and a shipped one (no owner), each
    with one domain, competence and draft item (``framework_a``, ``domain_b``…)."""
    from learners.models import Organisation
    from web.database import db

    with app.app_context():
        owners = {
            "a": db.session.get(Organisation, world.org_a),
            "b": db.session.get(Organisation, world.org_b),
            "shipped": None,
        }
        content = {
            suffix: make_own_framework(db.session, org, f"studio-{suffix}")
            for suffix, org in owners.items()
        }
        ids = {
            f"{name}_{suffix}": row.id
            for suffix, (framework, competence, item) in content.items()
            for name, row in (
                ("framework", framework),
                ("domain", competence.domain),
                ("competence", competence),
                ("item", item),
            )
        }
        db.session.commit()
        return ids


@pytest.fixture
def world_actions(app, world) -> dict[str, int]:
    """One funded action of each association, for URLs: ``{action_a}``, ``{action_b}``."""
    from learners.models import Organisation
    from tests.indicators.factories import make_action
    from web.database import db

    with app.app_context():
        made = {
            f"action_{suffix}": make_action(db.session, db.session.get(Organisation, org_id)).id
            for suffix, org_id in (("a", world.org_a), ("b", world.org_b))
        }
        db.session.commit()
        return made


@pytest.fixture
def client_as(app, world) -> Callable:
    """``client_as("trainer")`` → a fresh test client signed in as the world's trainer."""
    from learners.models import User
    from web.database import db

    def make(role: str):
        client = app.test_client()
        if role != "anonymous":
            with app.app_context():
                login_as(client, db.session.get(User, getattr(world, role)))
        return client

    return make


@pytest.fixture
def count_rows(app) -> Callable[[type], int]:
    """Rows of a model now: bad-input tests assert nothing was written."""
    from web.database import db

    def count(model) -> int:
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(model))

    return count
