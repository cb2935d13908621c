"""Item bank: each organisation's last calibration of an item (a, b, fit and the misfit flag).

Revision ID: 0010b_item_fits
Revises: 0010a_content_ownership
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learners.database

revision: str = "0010b_item_fits"
down_revision: str | Sequence[str] | None = "0010a_content_ownership"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_fits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("calibrated_at", learners.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("a", sa.Float(), nullable=False),
        sa.Column("b", sa.Float(), nullable=False),
        sa.Column("se_a", sa.Float(), nullable=False),
        sa.Column("se_b", sa.Float(), nullable=False),
        sa.Column("fit_p", sa.Float(), nullable=False),
        sa.Column("misfit", sa.Boolean(), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_item_fits_item_id_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_item_fits_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_fits")),
        sa.UniqueConstraint(
            "organisation_id", "item_id", name=op.f("uq_item_fits_organisation_id")
        ),
    )
    with op.batch_alter_table("item_fits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_fits_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_item_fits_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("item_fits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_fits_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_item_fits_item_id"))
    op.drop_table("item_fits")
