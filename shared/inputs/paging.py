"""Pagination of every list: a bounded ``limit``, keyset ``cursor``s, a small ``offset``.

A list is read in a fixed order that ends in a unique column (its :class:`Keyset`). The
response body stays a JSON array; when more rows follow, the response carries the cursor of
its last row in ``X-Next-Cursor`` and the whole next address in ``Link: <…>; rel="next"``
(RFC 8288). Passing that cursor back as ``?cursor=`` gives the rows after it, however deep:
the database seeks to the key instead of counting rows past an offset, and rows added or
removed meanwhile neither repeat nor skip others. The cursor is opaque to callers (URL-safe
base64 of the list's name and the last row's sort key and id), checked when it comes back
(422 naming ``cursor`` if it is not one of this list's), and grants nothing: every page is
filtered by the caller's jurisdiction again.

``offset`` stays for callers that used it, bounded by :data:`MAX_OFFSET` and refused together
with a cursor: deep pages must use cursors.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the annotations of the
# dependency made in ``paging`` at run time, with its bounds taken from the closure.

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response
from sqlalchemy import Select, and_, false, or_
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlalchemy.types import TypeDecorator, TypeEngine

from shared.problems import InvalidField

MAX_LIMIT = 500
"""The most rows one page gives (the audit log allows 1,000, as it always did)."""
DEFAULT_LIMIT = 100
MAX_OFFSET = 10_000
"""The deepest ``offset`` accepted; beyond it, follow the cursors."""
MAX_CURSOR = 512
"""Characters of a cursor: far more than any key of ours needs."""
NEXT_CURSOR_HEADER = "X-Next-Cursor"

_INT64 = 2**63
_MAX_KEY_TEXT = 200

T = TypeVar("T")


def _python_type(column_type: TypeEngine[Any]) -> type:
    """The Python type of a column's values, looking through type decorators (UTCDateTime)."""
    while isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    kind = column_type.python_type
    if kind not in (datetime, date, int, str):
        raise TypeError(f"a keyset column holds datetime, date, int or str, not {kind}")
    return kind


class _Column:
    """One column of a keyset: its expression, direction and the Python type of its values."""

    def __init__(self, expression: UnaryExpression[Any]) -> None:
        if expression.modifier not in (operators.asc_op, operators.desc_op):
            raise TypeError("give each keyset column as column.asc() or column.desc()")
        self.expression = expression
        self.column: ColumnElement[Any] = expression.element
        self.descending = expression.modifier is operators.desc_op
        self.key: str = str(self.column.key)
        self.python_type: type = _python_type(self.column.type)

    def encode(self, value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        return value

    def decode(self, value: Any) -> Any:
        """The value as the cursor carried it, checked against the column's type."""
        kind = self.python_type
        if kind is datetime and isinstance(value, str) and len(value) <= 40:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise ValueError("naive time")
            return moment
        if kind is date and isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
        if kind is int and type(value) is int and -_INT64 <= value < _INT64:
            return value
        if (kind is str and isinstance(value, str) and len(value) <= _MAX_KEY_TEXT
                and value.isprintable()):
            return value
        raise ValueError(f"not a {kind.__name__}")


class Keyset:
    """The order of a list, ending in a unique column, and the cursors that walk it:
    ``Keyset("applications", Application.submitted_at.desc(), Application.number.desc())``."""

    def __init__(self, name: str, *columns: UnaryExpression[Any]) -> None:
        if not columns:
            raise ValueError("a keyset needs at least one column, the last one unique")
        self.name = name
        self.columns = tuple(_Column(c) for c in columns)

    def order_by(self) -> list[UnaryExpression[Any]]:
        return [c.expression for c in self.columns]

    def after(self, key: tuple[Any, ...]) -> ColumnElement[bool]:
        """Rows that come after ``key`` in this order (each column in its own direction)."""
        clauses = []
        for i, column in enumerate(self.columns):
            equal = [c.column == v for c, v in zip(self.columns[:i], key[:i], strict=True)]
            beyond = column.column < key[i] if column.descending else column.column > key[i]
            clauses.append(and_(*equal, beyond))
        return or_(false(), *clauses)

    def key_of(self, row: Any) -> tuple[Any, ...]:
        return tuple(getattr(row, c.key) for c in self.columns)

    def cursor_of(self, row: Any) -> str:
        """The cursor that resumes after ``row``."""
        values = [self.name, *(c.encode(v) for c, v in zip(self.columns, self.key_of(row),
                                                            strict=True))]
        raw = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    def decode(self, cursor: str) -> tuple[Any, ...]:
        """The key a cursor of this list carries; 422 naming ``cursor`` for anything else."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            values = json.loads(raw.decode("utf-8"))
            if not (isinstance(values, list) and len(values) == len(self.columns) + 1
                    and values[0] == self.name):
                raise ValueError("not a cursor of this list")
            return tuple(c.decode(v) for c, v in zip(self.columns, values[1:], strict=True))
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
            raise InvalidField("cursor", f"is not a cursor of this list ({self.name}): pass "
                               f"back the {NEXT_CURSOR_HEADER} of the previous page") from None


@dataclass(frozen=True)
class Window:
    """Which rows of a list to read: ``apply`` it to the list's query in the service."""

    keyset: Keyset
    limit: int
    """Rows to fetch: one more than the page shows, to know whether another page follows."""
    offset: int = 0
    after: tuple[Any, ...] | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.after is not None:
            query = query.where(self.keyset.after(self.after))
        query = query.order_by(*self.keyset.order_by()).limit(self.limit)
        return query.offset(self.offset) if self.offset else query


class Page:
    """The paging parameters of one list request (a FastAPI dependency: :data:`Paging`)."""

    def __init__(self, request: Request, response: Response, *, limit: int, offset: int,
                 cursor: str | None) -> None:
        self.request = request
        self.response = response
        self.limit = limit
        self.offset = offset
        self.cursor = cursor

    def window(self, keyset: Keyset) -> Window:
        after = keyset.decode(self.cursor) if self.cursor is not None else None
        return Window(keyset, limit=self.limit + 1, offset=self.offset, after=after)

    def finish(self, rows: Any, keyset: Keyset) -> list[Any]:
        """The rows of this page; if more follow, the next cursor goes on the response."""
        rows = list(rows)
        if len(rows) <= self.limit:
            return rows
        rows = rows[:self.limit]
        cursor = keyset.cursor_of(rows[-1])
        params = [(k, v) for k, v in self.request.query_params.multi_items()
                  if k not in ("cursor", "offset")]
        query = urlencode([*params, ("cursor", cursor)])
        self.response.headers[NEXT_CURSOR_HEADER] = cursor
        self.response.headers["Link"] = f'<{self.request.url.path}?{query}>; rel="next"'
        return rows


def paging(max_limit: int = MAX_LIMIT) -> Any:
    """The ``Depends`` of a list's paging parameters, ``limit`` up to ``max_limit``."""

    async def page(  # async: a plain def would run in a worker thread
        request: Request, response: Response,
        limit: Annotated[int, Query(ge=1, le=max_limit, description=(
            f"rows per page, 1–{max_limit}"))] = DEFAULT_LIMIT,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description=(
            f"rows to skip, at most {MAX_OFFSET:,} and never with a cursor: to go further, "
            f"follow the cursors"))] = 0,
        cursor: Annotated[str | None, Query(
            min_length=1, max_length=MAX_CURSOR, pattern=r"^[A-Za-z0-9_-]+$",
            description=f"where to resume: the {NEXT_CURSOR_HEADER} header (or the "
            "`rel=\"next\"` link) of the previous page")] = None,
    ) -> Page:
        if cursor is not None and offset:
            raise InvalidField("offset", "cannot be combined with a cursor")
        return Page(request, response, limit=limit, offset=offset, cursor=cursor)

    return Depends(page)


Paging = Annotated[Page, paging()]
"""A list's paging parameters: ``limit`` 1–500, ``offset`` ≤ 10,000, ``cursor``."""

PAGED: dict[int | str, dict[str, Any]] = {200: {"description": "One page of the list", "headers": {
    NEXT_CURSOR_HEADER: {"description": "present when more rows follow: pass it back as "
                         "`cursor` for the next page", "schema": {"type": "string"}},
    "Link": {"description": "the next page's address, `<…>; rel=\"next\"` (RFC 8288), when "
             "more rows follow", "schema": {"type": "string"}},
}}}
"""``responses=PAGED`` on a list operation documents its paging headers."""
