"""learners: the département's API tokens (only the SHA-256 of each secret is stored)

Revision ID: 0013_api_tokens
Revises: 0013_endorsements_endorsements
Create Date: 2026-12-04 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learners.database

revision: str = "0013_api_tokens"
down_revision: str | Sequence[str] | None = "0013_endorsements_endorsements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("prefix", sa.String(16), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "created_by_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("created_at", learners.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", learners.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", learners.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", learners.database.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_api_tokens_organisation_id", "api_tokens", ["organisation_id"])


def downgrade() -> None:
    op.drop_index("ix_api_tokens_organisation_id", "api_tokens")
    op.drop_table("api_tokens")
