"""campaigns can be archived: hidden from the organisation's list, and closed

The trainers' studio lists an organisation's campaigns and lets them open, close and archive
one; an archived campaign keeps its sessions and results but accepts no new session.

Revision ID: 0010c_campaign_archived_at
Revises: 0004_session_badges_awarded_at
Create Date: 2026-12-03 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learners.database

revision: str = "0010c_campaign_archived_at"
down_revision: str | Sequence[str] | None = "0004_session_badges_awarded_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "campaigns",
        sa.Column("archived_at", learners.database.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    # A plain DROP COLUMN, not a batch copy: with foreign keys on, dropping the old table
    # would cascade to the campaign's sessions.
    op.drop_column("campaigns", "archived_at")
