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


PICTURE = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 60">'
    b'<rect width="100" height="60" rx="8" fill="#f5f7fa"/>'
    b'<text x="50" y="38" font-size="20" text-anchor="middle">Entr\xc3\xa9e</text></svg>'
)


def give_picture(db, item, data: bytes = PICTURE, alt: str = "Une touche du clavier.") -> str:
    """Attach a checked picture to an organisation's ``item``; its URL path after
    ``/images/items/``."""
    from assessments import item_images

    picture = item_images.check(data)
    item.image_file = item_images.store_upload(db, item.organisation_id, picture)
    item.image_alt = alt
    db.flush()
    return f"{item.uid}/{picture.digest}.{picture.extension}"


@pytest.fixture
def picture_content(app, world) -> dict[str, str]:
    """An item with a picture in each association's own framework: ``{picture_a}`` and
    ``{picture_b}`` are what follows ``/images/items/`` in their URLs."""
    from learners.models import Organisation
    from web.database import db

    with app.app_context():
        paths = {}
        for suffix, org_id in (("a", world.org_a), ("b", world.org_b)):
            _, _, item = make_own_framework(
                db.session, db.session.get(Organisation, org_id), f"pictures-{suffix}"
            )
            paths[f"picture_{suffix}"] = give_picture(db.session, item)
        db.session.commit()
        return paths


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


@pytest.fixture
def achievements_content(app, world) -> dict[str, str]:
    """Achievements for URLs: A's and B's own (their issuers' rule « niveau 2 en 1.1 » on the
    test framework) and a shipped one of the platform's issuer (``achievement_a``,
    ``achievement_b``, ``achievement_platform``: public ids)."""
    from learners.models import Organisation
    from tests.badges.factories import make_achievement, make_issuer
    from web.database import db

    rule = {
        "framework": "essai",
        "require": "all",
        "conditions": [{"type": "competence_level", "competence": "1.1", "min_level": 2}],
    }
    kek = app.config["JALON_KEY_ENCRYPTION_KEY"]
    with app.app_context():
        ids = {}
        for suffix, org_id in (
            ("a", world.org_a),
            ("b", world.org_b),
            ("platform", world.platform),
        ):
            org = db.session.get(Organisation, org_id)
            issuer = make_issuer(db.session, org, name=org.name, kek=kek)
            achievement = make_achievement(
                db.session, issuer, name=f"Badge {suffix}", award_rules=rule
            )
            ids[f"achievement_{suffix}"] = achievement.public_id
        db.session.commit()
        return ids


@pytest.fixture
def awards_content(app, world, achievements_content) -> dict[str, str]:
    """Awarding, for URLs: A's and B's achievements of ``achievements_content``, each awarded
    by hand to A's and B's learner (``credential_a``…) with an evidence file (``evidence_a``…)."""
    from badges import evidence_files, manual_awards
    from learners.models import Organisation, User
    from tests.badges.test_manual_awards import png_bytes
    from web.database import db

    kek = app.config["JALON_KEY_ENCRYPTION_KEY"]
    ids: dict[str, str] = {}
    with app.app_context():
        for suffix, learner_id in (("a", world.learner), ("b", world.learner_b)):
            org = db.session.get(Organisation, getattr(world, f"org_{suffix}"))
            achievement = manual_awards.achievement_of(
                db.session, org.id, achievements_content[f"achievement_{suffix}"]
            )
            credential = manual_awards.award(
                db.session,
                achievement=achievement,
                learner=db.session.get(User, learner_id).learner,
                evidence=manual_awards.Evidence(
                    "Vu en atelier.", file=evidence_files.check(png_bytes(), "photo.png")
                ),
                actor=None,
                organisation_id=org.id,
                base_url=app.config["JALON_BASE_URL"],
                kek=kek,
            )
            ids[f"achievement_{suffix}"] = achievement.public_id
            ids[f"credential_{suffix}"] = credential.public_id
            ids[f"evidence_{suffix}"] = evidence_files.files_of(db.session, credential.id)[
                0
            ].public_id
        db.session.commit()
    return ids


@pytest.fixture
def actions_content(app, world) -> dict[str, int]:
    """A funded action in A and in B, each with one enrolment that has exited (``action_a``,
    ``enrolment_b``…), for URLs."""
    from datetime import date

    from learners.models import Organisation, User
    from tests.learners.factories import make_action, make_enrolment
    from web.database import db

    with app.app_context():
        ids = {}
        for suffix, org_id, learner_id in (
            ("a", world.org_a, world.learner),
            ("b", world.org_b, world.learner_b),
        ):
            action = make_action(db.session, db.session.get(Organisation, org_id))
            learner = db.session.get(User, learner_id).learner
            enrolment = make_enrolment(db.session, action, learner, exit_date=date(2025, 6, 30))
            ids[f"action_{suffix}"], ids[f"enrolment_{suffix}"] = action.id, enrolment.id
        db.session.commit()
        return ids
