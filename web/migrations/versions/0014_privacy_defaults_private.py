"""badges: a new credential is private until its holder publishes it (existing ones unchanged)

Revision ID: 0014_privacy_defaults_private
Revises: 0013_api_indicator_indexes
Create Date: 2026-12-04 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_privacy_defaults_private"
down_revision: str | Sequence[str] | None = "0013_api_indicator_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Only the default changes: every existing credential keeps the visibility it has.
    with op.batch_alter_table("credentials") as batch:
        batch.alter_column(
            "is_public", existing_type=sa.Boolean(), server_default=sa.false(), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.alter_column(
            "is_public", existing_type=sa.Boolean(), server_default=None, nullable=False
        )
