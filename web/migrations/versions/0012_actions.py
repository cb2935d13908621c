"""learners: funded actions, enrolments and outcomes; campaigns and credentials count for an action

Revision ID: 0012_actions
Revises: 0011_session_version, 0010b_item_fits, 0003_badges
Create Date: 2026-12-04 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learners.database

revision: str = "0012_actions"
# Joins the three branches: campaigns and credentials gain a column pointing at actions.
down_revision: str | Sequence[str] | None = (
    "0011_session_version",
    "0010b_item_fits",
    "0003_badges",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("typologies", sa.JSON(), nullable=False),
        sa.Column("target_jobs", sa.JSON(), nullable=False),
        sa.Column("first_year", sa.SmallInteger(), nullable=False),
        sa.Column("last_year", sa.SmallInteger(), nullable=False),
        sa.Column("communes", sa.JSON(), nullable=False),
        sa.Column("planned_beneficiaries", sa.Integer(), nullable=False),
        sa.Column("planned_completion_rate", sa.SmallInteger(), nullable=True),
        sa.Column("planned_success_rate", sa.SmallInteger(), nullable=True),
        sa.Column("planned_employment_rate", sa.SmallInteger(), nullable=True),
        sa.Column("created_at", learners.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("archived_at", learners.database.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_actions_organisation_id", "actions", ["organisation_id"])
    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "action_id",
            sa.Integer(),
            sa.ForeignKey("actions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "learner_id",
            sa.Integer(),
            sa.ForeignKey("learners.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "referrer",
            _enum("enrolment_referrer", "ali", "france_travail", "ssd", "pie", "autre"),
            nullable=False,
        ),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("exit_date", sa.Date(), nullable=True),
        sa.Column(
            "exit_reason",
            _enum(
                "exit_reason",
                "parcours_termine",
                "abandon",
                "reorientation",
                "emploi",
                "demenagement",
                "autre",
            ),
            nullable=True,
        ),
        sa.Column("sessions_attended", sa.SmallInteger(), nullable=True),
        sa.Column("sessions_planned", sa.SmallInteger(), nullable=True),
        sa.Column(
            "public_status",
            _enum("public_status", "rsa_cer", "rsa_ppae", "demandeur_emploi", "autre"),
            nullable=False,
        ),
        sa.Column("sex", _enum("sex", "f", "m", "nd"), nullable=False),
        sa.Column("birth_year", sa.SmallInteger(), nullable=True),
        sa.Column("commune_code", sa.String(5), nullable=True),
        sa.Column("created_at", learners.database.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("action_id", "learner_id"),
    )
    op.create_index("ix_enrolments_action_entry", "enrolments", ["action_id", "entry_date"])
    op.create_index("ix_enrolments_learner_id", "enrolments", ["learner_id"])
    op.create_index("ix_enrolments_exit_date", "enrolments", ["exit_date"])
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "enrolment_id",
            sa.Integer(),
            sa.ForeignKey("enrolments.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("moment", _enum("outcome_moment", "sortie", "six_mois"), nullable=False),
        sa.Column(
            "situation",
            _enum(
                "situation",
                "cdi",
                "cdd_6_mois_plus",
                "cdd_moins_6_mois",
                "interim",
                "alternance",
                "creation_entreprise",
                "formation_qualifiante",
                "autre_formation",
                "sans_solution",
                "inconnue",
            ),
            nullable=False,
        ),
        sa.Column("observed_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", learners.database.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("enrolment_id", "moment"),
    )
    for table in ("campaigns", "credentials"):
        _add_action_column(table)


def _add_action_column(table: str) -> None:
    fk = f"fk_{table}_action_id_actions"
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its foreign key in place; batch mode would rebuild the
        # table, which fails while other rows reference it. No ON DELETE: SQLite would not
        # report it back, and actions are archived, never deleted once something counts for them.
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN action_id INTEGER "
            f"CONSTRAINT {fk} REFERENCES actions (id)"
        )
    else:
        op.add_column(table, sa.Column("action_id", sa.Integer(), nullable=True))
        op.create_foreign_key(fk, table, "actions", ["action_id"], ["id"])
    op.create_index(f"ix_{table}_action_id", table, ["action_id"])


def downgrade() -> None:
    for table in ("credentials", "campaigns"):
        op.drop_index(f"ix_{table}_action_id", table_name=table)
        with op.batch_alter_table(table) as batch:  # its foreign key goes with it
            batch.drop_column("action_id")
    op.drop_table("outcomes")
    op.drop_index("ix_enrolments_exit_date", table_name="enrolments")
    op.drop_index("ix_enrolments_learner_id", table_name="enrolments")
    op.drop_index("ix_enrolments_action_entry", table_name="enrolments")
    op.drop_table("enrolments")
    op.drop_index("ix_actions_organisation_id", table_name="actions")
    op.drop_table("actions")
