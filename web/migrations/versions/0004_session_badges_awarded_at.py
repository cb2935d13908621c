"""assessment sessions remember when their badges were issued (pending awarding otherwise)

Badges are issued by the POST that finishes a session, with a bounded retry; a session whose
awarding still failed keeps ``badges_awarded_at`` empty, and a later POST (« Réessayer ») or
``jalon badges award-pending`` issues its badges.

Sessions finished before this revision had their badges issued by the results page each time it
was shown: they count as awarded at their finishing time, so that ``award-pending`` does not
revisit the whole history (issuing, say, an achievement created long after the session).

Revision ID: 0004_session_badges_awarded_at
Revises: 0002_assessments
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learners.database

revision: str = "0004_session_badges_awarded_at"
down_revision: str | Sequence[str] | None = "0002_assessments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "assessment_sessions",
        sa.Column("badges_awarded_at", learners.database.UTCDateTime(timezone=True), nullable=True),
    )
    op.execute(
        "UPDATE assessment_sessions SET badges_awarded_at = finished_at "
        "WHERE status = 'finished' AND finished_at IS NOT NULL"
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+ has it), not a batch copy of the table: with foreign
    # keys on, dropping the old table would cascade to the sessions' responses and results.
    op.drop_column("assessment_sessions", "badges_awarded_at")
