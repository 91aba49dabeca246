"""Atomic claims: one worker per row, however many replicas run.

PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` then ``UPDATE`` in one transaction; a row
another transaction holds is skipped, not waited for.
SQLite: one conditional ``UPDATE … WHERE id IN (SELECT …) AND <recheck> RETURNING id``;
SQLite has a single writer, so the statement is atomic and the loser updates nothing.

Used for posts (publishing, reconciliation), sources (polling) and articles (drafting).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session


def claim(
    session: Session,
    id_column: InstrumentedAttribute[int],
    where: ColumnElement[bool],
    order_by: Sequence[Any],
    values: Mapping[str, Any],
    *,
    recheck: ColumnElement[bool] | None = None,
    limit: int = 1,
) -> list[int]:
    """Set ``values`` on up to ``limit`` rows matching ``where`` (first by ``order_by``)
    that no other transaction claims at the same time; their ids.

    ``recheck`` is what the SQLite statement checks again on the picked rows (default:
    ``where``); it must hold only for rows not claimed yet, so a second claimant loses.
    """
    model = id_column.class_
    pick = select(id_column).where(where).order_by(*order_by).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(pick.with_for_update(skip_locked=True)))
        if ids:
            session.execute(update(model).where(id_column.in_(ids)).values(**values))
        return ids
    return list(
        session.scalars(
            update(model)
            .where(id_column.in_(pick.scalar_subquery()), where if recheck is None else recheck)
            .values(**values)
            .returning(id_column)
        )
    )


def claim_one(
    session: Session,
    id_column: InstrumentedAttribute[int],
    where: ColumnElement[bool],
    order_by: Sequence[Any],
    values: Mapping[str, Any],
    *,
    recheck: ColumnElement[bool] | None = None,
) -> int | None:
    """``claim`` of the first matching row: its id, or None when there is none free."""
    ids = claim(session, id_column, where, order_by, values, recheck=recheck)
    return ids[0] if ids else None
