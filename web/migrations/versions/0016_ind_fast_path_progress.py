"""assessments: each path's first and last level per competence, and whether it went up in any,
for « compétences acquises »

Revision ID: 0016_ind_fast_path_progress
Revises: 0015_answer_loop_bank_stamp
Create Date: 2026-12-04 19:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_ind_fast_path_progress"
down_revision: str | Sequence[str] | None = "0015_answer_loop_bank_stamp"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What ``assessments.path_progress.measures`` computes, frozen here in SQL: for every path and
# competence measured twice or more by the sessions that count for the path (the action's
# campaigns, or the porteur's campaigns tied to no action finished during the path), the level
# of the first and of the last session, carried by the (end time, level) sort key.
BACKFILL = """
INSERT INTO competence_progress (enrolment_id, competence_id, first_level, last_level)
SELECT e.id, r.competence_id, MIN({key}) % 100, MAX({key}) % 100
FROM enrolments e
JOIN actions a ON a.id = e.action_id
JOIN assessment_sessions s ON s.learner_id = e.learner_id AND s.status = 'finished'
JOIN campaigns c ON c.id = s.campaign_id AND (
    c.action_id = e.action_id
    OR (
        c.action_id IS NULL AND c.organisation_id = a.organisation_id
        AND {day} >= e.entry_date AND (e.exit_date IS NULL OR {day} <= e.exit_date)
    )
)
JOIN competence_results r ON r.session_id = s.id
GROUP BY e.id, r.competence_id
HAVING COUNT(*) >= 2
"""

SUMMARIES = """
INSERT INTO path_progress (enrolment_id, progressed)
SELECT enrolment_id, MAX(CASE WHEN last_level > first_level THEN 1 ELSE 0 END) = 1
FROM competence_progress
GROUP BY enrolment_id
"""

DIALECT_SQL = {
    "postgresql": {
        "key": "CAST(EXTRACT(epoch FROM s.finished_at) AS BIGINT) * 100 + r.level",
        "day": "date(timezone('UTC', s.finished_at))",
    },
    "sqlite": {
        "key": "CAST(strftime('%s', s.finished_at) AS INTEGER) * 100 + r.level",
        "day": "date(s.finished_at)",
    },
}


def upgrade() -> None:
    op.create_table(
        "competence_progress",
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("competence_id", sa.Integer(), nullable=False),
        sa.Column("first_level", sa.Integer(), nullable=False),
        sa.Column("last_level", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competence_id"],
            ["competences.id"],
            name=op.f("fk_competence_progress_competence_id_competences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_competence_progress_enrolment_id_enrolments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "enrolment_id", "competence_id", name=op.f("pk_competence_progress")
        ),
    )
    op.create_index(
        op.f("ix_competence_progress_competence_id"),
        "competence_progress",
        ["competence_id"],
        unique=False,
    )
    op.create_table(
        "path_progress",
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("progressed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_path_progress_enrolment_id_enrolments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enrolment_id", name=op.f("pk_path_progress")),
    )
    bind = op.get_bind()
    op.execute(BACKFILL.format(**DIALECT_SQL[bind.dialect.name]))
    op.execute(SUMMARIES)


def downgrade() -> None:
    op.drop_table("path_progress")
    op.drop_index(op.f("ix_competence_progress_competence_id"), table_name="competence_progress")
    op.drop_table("competence_progress")
