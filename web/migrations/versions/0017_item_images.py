"""assessments: the pictures an organisation's items show (uploaded or imported), stored checked

Revision ID: 0017_item_images
Revises: 0016_ind_fast_path_progress
Create Date: 2026-12-04 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from learners.database import UTCDateTime

revision: str = "0017_item_images"
down_revision: str | Sequence[str] | None = "0016_ind_fast_path_progress"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_item_images_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_images")),
        sa.UniqueConstraint("organisation_id", "name", name=op.f("uq_item_images_organisation_id")),
    )
    op.create_index(
        op.f("ix_item_images_organisation_id"), "item_images", ["organisation_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_item_images_organisation_id"), table_name="item_images")
    op.drop_table("item_images")
