"""token expiry, applied Cloud API webhook events, subscribers' consent time

Revision ID: 0004_tokens_webhooks
Revises: 0003_web_sessions
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = "0004_tokens_webhooks"
down_revision: str | None = "0003_web_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", bot.store.models.UTCDateTime(), nullable=True))
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_at", bot.store.models.UTCDateTime(), nullable=True))
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("received_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_events")),
        sa.UniqueConstraint("key", name=op.f("uq_webhook_events_key")),
    )
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_events_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_events_received_at"))
    op.drop_table("webhook_events")
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.drop_column("consent_at")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
