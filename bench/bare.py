"""The API baseline: a bare FastAPI endpoint that inserts one row, on the services' own engine.

``uvicorn --factory bench.bare:create_app`` with the same ASSIST_* settings as a service: the
same ``shared.db.create_engine`` (SQLite single writer, or the PostgreSQL pool), one transaction
per request, a validated JSON body in and out. No auth, no outbox, no middleware: what any
endpoint of this stack costs before its own work.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, String, Table, Text

from shared.db import create_engine, create_sessionmaker, ensure_schema
from shared.settings import Settings

metadata = MetaData()
rows = Table("bench_row", metadata,
             Column("id", Integer, primary_key=True, autoincrement=True),
             Column("name", String(100), nullable=False),
             Column("body", Text, nullable=False))


class RowIn(BaseModel):
    name: str
    body: dict[str, Any]


class RowOut(BaseModel):
    id: int
    name: str


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings(service="bench_bare")
    engine = create_engine(settings)
    sessions = create_sessionmaker(engine, info={})

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await ensure_schema(engine, settings.pg_schema)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v1/rows", status_code=201)
    async def insert(row: RowIn) -> RowOut:
        async with sessions() as session, session.begin():
            result = await session.execute(
                rows.insert().values(name=row.name, body=row.model_dump_json()))
            (row_id,) = result.inserted_primary_key or (0,)
        return RowOut(id=row_id, name=row.name)

    return app
