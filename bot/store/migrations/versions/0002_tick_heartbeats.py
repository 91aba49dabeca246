"""tick heartbeats: when each worker's ticks last ran

Revision ID: 0002_tick_heartbeats
Revises: 0001
Create Date: 2026-11-28 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models


revision: str = "0002_tick_heartbeats"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tick_heartbeats",
        sa.Column("worker", sa.String(length=100), nullable=False),
        sa.Column("tick", sa.String(length=40), nullable=False),
        sa.Column("interval_seconds", sa.Float(), nullable=False),
        sa.Column("last_finished_at", bot.store.models.UTCDateTime(), nullable=True),
        sa.Column("running_since", bot.store.models.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("seen_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("worker", "tick", name=op.f("pk_tick_heartbeats")),
    )
    with op.batch_alter_table("tick_heartbeats", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tick_heartbeats_seen_at"), ["seen_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tick_heartbeats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tick_heartbeats_seen_at"))
    op.drop_table("tick_heartbeats")
