"""assessments: frameworks and items owned by an organisation, earlier item versions kept

Revision ID: 0010a_content_ownership
Revises: 0010c_campaign_archived_at
Create Date: 2026-12-03 18:05:00

``organisation_id`` is empty for everything shipped with Jalon (read-only in the studio) and
names the organisation that wrote or copied a framework and its items. ``item_versions`` keeps
the version an item had before a change of meaning raised it, so old responses keep the
question and key they were checked against.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learners.database

revision: str = "0010a_content_ownership"
down_revision: str | Sequence[str] | None = "0010c_campaign_archived_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    for table in ("frameworks", "items"):
        if _sqlite():
            # SQLite adds a column with its foreign key in place; batch mode would rebuild the
            # table, which fails while responses and sessions reference its rows.
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN organisation_id INTEGER "
                f"CONSTRAINT fk_{table}_organisation_id_organisations "
                "REFERENCES organisations (id)"
            )
            op.create_index(f"ix_{table}_organisation_id", table, ["organisation_id"])
            continue
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
            batch_op.create_index(
                batch_op.f(f"ix_{table}_organisation_id"), ["organisation_id"], unique=False
            )
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_organisation_id_organisations"),
                "organisations",
                ["organisation_id"],
                ["id"],
            )
    op.create_table(
        "item_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("replaced_at", learners.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_item_versions_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_versions")),
        sa.UniqueConstraint("item_id", "version", name=op.f("uq_item_versions_item_id")),
    )
    with op.batch_alter_table("item_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_versions_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("item_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_versions_item_id"))
    op.drop_table("item_versions")
    for table in ("items", "frameworks"):
        if _sqlite():
            op.drop_index(f"ix_{table}_organisation_id", table_name=table)
            op.execute(f"ALTER TABLE {table} DROP COLUMN organisation_id")
            continue
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_organisation_id_organisations"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_{table}_organisation_id"))
            batch_op.drop_column("organisation_id")
