"""badges: the shipped badge an achievement was installed from and the hash of that definition,
so a new release updates the shipped badges an organisation did not edit

Revision ID: 0018_shipped_badge_hash
Revises: 0017_item_images
Create Date: 2026-12-04 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_shipped_badge_hash"
down_revision: str | Sequence[str] | None = "0017_item_images"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows installed before this revision stay NULL: ``badges.shipped`` recognises them by the
    # definitions earlier releases shipped (badges/content/achievements_former.json).
    with op.batch_alter_table("achievements") as batch:
        batch.add_column(sa.Column("shipped_slug", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("shipped_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("achievements") as batch:
        batch.drop_column("shipped_hash")
        batch.drop_column("shipped_slug")
