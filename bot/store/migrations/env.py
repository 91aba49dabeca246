"""Alembic environment: the engine comes from the caller (``bot.store.db.upgrade``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from bot.store.models import Base

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("use `newsbot db upgrade`; it knows the database URL")
    engine = create_engine(url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
