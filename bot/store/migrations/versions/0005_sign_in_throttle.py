"""sign-in throttle: failures per (address, account) and per address, lockable rows

Revision ID: 0005_sign_in_throttle
Revises: 0004_tokens_webhooks
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = "0005_sign_in_throttle"
down_revision: str | None = "0004_tokens_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttles",
        sa.Column("address", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.Column("blocked_until", bot.store.models.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("address", "key", name=op.f("pk_sign_in_throttles")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_throttles")
