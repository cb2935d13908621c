"""indicators: indexes that keep every dashboard query fast at 100,000 beneficiaries

A path's credentials by learner and action (the badge indicators ran one lookup per enrolment
through the action's index, every badge of the action each time), and covering indexes for the
walk from a learner to their finished sessions and their levels (« compétences acquises »).
Figures before and after: ``tests/bench/test_indicators_bench.py`` and the issue's note.

Revision ID: 0013_api_indicator_indexes
Revises: 0013_api_tokens
Create Date: 2026-12-04 17:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_api_indicator_indexes"
down_revision: str | Sequence[str] | None = "0013_api_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_credentials_learner_action", "credentials", ["learner_id", "action_id", "revoked_at"]),
    (
        "ix_competence_results_session_level",
        "competence_results",
        ["session_id", "competence_id", "level"],
    ),
    (
        "ix_assessment_sessions_learner_status",
        "assessment_sessions",
        ["learner_id", "status", "finished_at", "campaign_id"],
    ),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in INDEXES:
        op.drop_index(name, table)
