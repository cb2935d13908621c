"""badges: endorsements (EndorsementCredentials the département or a partner employer signs)

Organisations of the new kind ``employeur`` need no schema change: kinds are stored as VARCHAR.

Revision ID: 0013_endorsements_endorsements
Revises: 0012_badge_awards_evidence
Create Date: 2026-12-04 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learners.database

revision: str = "0013_endorsements_endorsements"
down_revision: str | Sequence[str] | None = "0012_badge_awards_evidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "endorsements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("achievement_id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("signed_json", sa.Text(), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("issued_at", learners.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", learners.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name=op.f("fk_endorsements_achievement_id_achievements"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_endorsements_issuer_id_issuers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_endorsements_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["status_lists.id"],
            name=op.f("fk_endorsements_status_list_id_status_lists"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_endorsements_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endorsements")),
        sa.UniqueConstraint("public_id", name=op.f("uq_endorsements_public_id")),
        sa.UniqueConstraint(
            "status_list_id", "status_index", name=op.f("uq_endorsements_status_list_id")
        ),
    )
    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        for column in ("achievement_id", "issuer_id", "organisation_id", "status_list_id"):
            batch_op.create_index(batch_op.f(f"ix_endorsements_{column}"), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        for column in ("status_list_id", "organisation_id", "issuer_id", "achievement_id"):
            batch_op.drop_index(batch_op.f(f"ix_endorsements_{column}"))
    op.drop_table("endorsements")
