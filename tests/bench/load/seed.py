"""Demo data for the load benchmark, written into the throwaway database by the app's own
domain functions, and the plan the load generator reads (``python -m tests.bench.load.seed``).

Learners get one-time access codes as trainers print them; badges are issued and published so
employers can open them; each CRCN item's right answer (as a browser posts it) goes into the
plan, so simulated learners answer like people do: right about 60 % of the time, else « Je ne
sais pas ». A pool of learners who never sign in receives the bulk awards of the faults."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import select

from assessments import campaigns, checking, content_io
from assessments.models import AssessmentMode, Framework, Item
from badges import issuers, manual_awards
from badges.models import Credential
from badges.shipped import install_achievement, shipped_achievements
from learners import accounts, passwords
from learners.models import Role
from tests.assessments.factories import form_fields
from tests.learners.factories import make_organisation

CAMPAIGN_CODE = "CRCN-CHRG"
TRAINER_LOGIN = "formatrice.charge"
TRAINER_PASSWORD = "formatrice-charge-2026"


def seed(db, *, learners: int, pool: int, badges: int, base_url: str, kek: str) -> dict:
    root = content_io.CONTENT_DIR
    content_io.import_paths(db, [root / "frameworks" / "crcn.json", root / "items" / "crcn"])
    framework = db.scalar(select(Framework).where(Framework.slug == "crcn"))
    org = make_organisation(db, "Association Charge et Pannes")
    assessment = campaigns.create_assessment(
        db,
        framework,
        "Compétences numériques (CRCN)",
        mode=AssessmentMode.ADAPTIVE,
        min_items=16,
        max_items=32,
        organisation_id=org.id,
    )
    campaigns.create_campaign(db, assessment, org.id, "Charge", code=CAMPAIGN_CODE)
    issuer = issuers.create(db, org, kek)
    achievements = [
        install_achievement(db, issuer, entry)
        for entry in shipped_achievements()
        if entry["framework"] == "crcn"
    ]
    trainer = accounts.create_user(
        db,
        display_name="Formatrice Charge",
        username=TRAINER_LOGIN,
        password=TRAINER_PASSWORD,
        memberships=((org, Role.TRAINER),),
    )
    people = [
        accounts.create_learner_account(db, org, f"Apprenant Charge {n:03d}")
        for n in range(learners)
    ]
    # The bulk awards' learners never sign in: their one-time codes are hashed cheaply and
    # their usernames given (not looked for among the others'), so that a thousand of them are
    # seeded in seconds (the app verifies a hash of any argon2 parameters).
    passwords.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    awarded = [
        accounts.create_user(
            db,
            display_name=f"Lot Charge {n:04d}",
            username=f"lot.charge.{n:04d}",
            password=passwords.new_access_code(),
            memberships=((org, Role.LEARNER),),
            must_change_password=True,
        ).username
        for n in range(pool)
    ]
    passwords.set_hasher(PasswordHasher())
    db.flush()
    shown = achievements[0]
    issued = []
    for person in people[:badges]:
        credential = manual_awards.award(
            db,
            achievement=shown,
            learner=person.user.learner,
            evidence=manual_awards.Evidence(narrative="Compétence constatée en atelier."),
            actor=trainer,
            organisation_id=org.id,
            base_url=base_url,
            kek=kek,
        )
        credential.is_public = True  # as the holder does from « Mes badges »
        issued.append(credential)
    db.commit()
    items = db.scalars(select(Item)).all()  # the CRCN bank only, in this database
    return {
        "campaign_code": CAMPAIGN_CODE,
        "organisation_id": org.id,
        "trainer": {"login": TRAINER_LOGIN, "password": TRAINER_PASSWORD},
        "bulk_achievement": achievements[-1].public_id,
        "learners": [{"login": p.user.username, "code": p.access_code} for p in people],
        "pool": awarded,
        "credentials": [
            {"id": c.public_id, "json": db.get(Credential, c.id).signed_json} for c in issued
        ],
        "answers": {
            str(item.id): form_fields(item, checking.example_right_response(item)) for item in items
        },
    }


def main() -> None:
    out, learners, pool, badges = Path(sys.argv[1]), *map(int, sys.argv[2:5])
    from web import create_app
    from web.database import db

    app = create_app()
    with app.app_context():
        plan = seed(
            db.session,
            learners=learners,
            pool=pool,
            badges=badges,
            base_url=app.config["JALON_BASE_URL"],
            kek=app.config["JALON_KEY_ENCRYPTION_KEY"],
        )
    out.write_text(json.dumps(plan), encoding="utf-8")


if __name__ == "__main__":
    main()
