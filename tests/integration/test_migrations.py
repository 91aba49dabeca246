"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.store.db import current_revision, head_revision, make_engine
from bot.store.models import Base


def test_the_migrated_schema_is_the_models_schema(db_url: str) -> None:
    engine = make_engine(db_url)  # db_url is migrated to head by the fixture
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []
