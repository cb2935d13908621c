"""assessments, learners: a stamp per framework for the workers' item-pool cache; logins stored
in the form they are looked up in

``frameworks.bank_stamp`` changes whenever one of the framework's items or competences is
written (``assessments/item_pool.py``), so a worker keeps the bank's light rows between answers
and knows, from the row it reads anyway, when they are stale.

Sign-in looked users up on ``lower(email)`` / ``lower(username)``, which no index answers (a
scan of ``users`` per sign-in). Accounts are created lower-case already; the few that are not
are lowered here, so the lookup can be an equality on the unique columns. A value whose
lower-case form another account already holds is left as it is (and reported): it could not
sign in unambiguously before either.

Revision ID: 0015_answer_loop_bank_stamp
Revises: 0014_privacy_defaults_private
Create Date: 2026-12-04 19:30:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_answer_loop_bank_stamp"
down_revision: str | Sequence[str] | None = "0014_privacy_defaults_private"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

USERS = sa.table("users", sa.column("id", sa.Integer), sa.column("email"), sa.column("username"))


def _lower_logins(column: str) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(USERS.c.id, USERS.c[column]).where(USERS.c[column].is_not(None))
    ).all()
    taken = {value for _id, value in rows}
    for user_id, value in rows:
        lowered = value.strip().lower()
        if lowered == value:
            continue
        if lowered in taken:
            print(f"users.{column} of user {user_id}: its lower-case form is taken, kept as is")
            continue
        connection.execute(sa.update(USERS).where(USERS.c.id == user_id).values({column: lowered}))
        taken.discard(value)
        taken.add(lowered)


def upgrade() -> None:
    # Added in place on both engines (no copy of the table on SQLite: a copy would rewrite its
    # foreign keys, which 0010a's downgrade drops with SQLite's own DROP COLUMN).
    op.add_column(
        "frameworks",
        sa.Column("bank_stamp", sa.String(length=32), server_default="initial", nullable=False),
    )
    # A stamp of its own for each existing framework, as new ones get: no two banks share one.
    frameworks = sa.table("frameworks", sa.column("id", sa.Integer), sa.column("bank_stamp"))
    connection = op.get_bind()
    for (framework_id,) in connection.execute(sa.select(frameworks.c.id)).all():
        connection.execute(
            sa.update(frameworks)
            .where(frameworks.c.id == framework_id)
            .values(bank_stamp=uuid.uuid4().hex)
        )
    _lower_logins("email")
    _lower_logins("username")


def downgrade() -> None:
    # Lowered logins stay lowered: the old lookup (lower() on both sides) finds them the same.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE frameworks DROP COLUMN bank_stamp")
    else:
        op.drop_column("frameworks", "bank_stamp")
