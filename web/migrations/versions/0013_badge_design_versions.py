"""badges: achievements designed in the studio (drafts, versions, validity, medallion design)

Revision ID: 0013_badge_design_versions
Revises: 0012_actions
Create Date: 2026-12-04 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_badge_design_versions"
down_revision: str | Sequence[str] | None = "0012_actions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("achievements") as batch:
        batch.add_column(
            sa.Column("is_draft", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("previous_version_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("validity_months", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("design", sa.JSON(), nullable=True))
        batch.create_unique_constraint(
            "uq_achievements_previous_version_id", ["previous_version_id"]
        )
        batch.create_foreign_key(
            "fk_achievements_previous_version_id_achievements",
            "achievements",
            ["previous_version_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("achievements") as batch:
        batch.drop_constraint(
            "fk_achievements_previous_version_id_achievements", type_="foreignkey"
        )
        batch.drop_constraint("uq_achievements_previous_version_id", type_="unique")
        batch.drop_column("design")
        batch.drop_column("validity_months")
        batch.drop_column("previous_version_id")
        batch.drop_column("version")
        batch.drop_column("is_draft")
