"""The departments' data files of the data-file check sources (R-VE-4): loaded whole by a
county officer, in versions; their records keep no ID number, only a keyed digest of it
(HMAC-SHA256 with a key derived from the installation's event keys), which this installation
alone can compute to match a person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.verification.checks.datafile import DataFile
from services.verification.checks.models import CheckDataset, CheckRecord
from services.verification.checks.sources import CurrentDataset, DatasetRecord
from shared.auth import User
from shared.context import new_id
from shared.contracts.verification import CheckDatasetLoaded
from shared.db import utcnow
from shared.digests import digest_keys, id_digest
from shared.inputs import Keyset, Window
from shared.outbox import emit
from shared.sealing import Keyring, Sealer

DIGEST_PURPOSE = "check-id-digest"
"""What the key of the data files' ID-number digests is derived for (``Keyring.derived_key``,
once per keyring: ``shared.digests.digest_keys``)."""
INSERT_BATCH = 5000
DATASETS = Keyset("check-datasets", CheckDataset.loaded_at.desc(), CheckDataset.id.desc())
"""A source's data file versions, newest first."""


async def current_dataset(session: AsyncSession, source: str) -> CheckDataset | None:
    return await session.scalar(select(CheckDataset).where(CheckDataset.source == source)
                                .order_by(CheckDataset.version.desc()).limit(1))


async def load_dataset(
    session: AsyncSession, *, user: User, source: str, data: DataFile, data_date: date,
    filename: str | None, keyring: Keyring, county: str,
) -> tuple[CheckDataset, bool]:
    """Take a checked data file as the source's next version, whole (R-VE-4); the same bytes
    as the current version change nothing. Returns the version and whether it is new."""
    current = await current_dataset(session, source)
    if current is not None and current.sha256 == data.sha256:
        return current, False
    kid = keyring.current
    key = digest_keys(keyring, DIGEST_PURPOSE)[kid]
    dataset = CheckDataset(
        id=new_id(), source=source, version=(current.version + 1) if current else 1,
        data_date=data_date, sha256=data.sha256, rows=len(data.rows), filename=filename,
        key_id=kid, loaded_at=utcnow(), loaded_by=user.user_id)
    session.add(dataset)
    await session.flush()
    for start in range(0, len(data.rows), INSERT_BATCH):
        await session.execute(insert(CheckRecord), [
            {"dataset_id": dataset.id, "line": r.line, "id_digest": id_digest(key, r.id_number),
             "item": r.item, "amount_fen": r.amount_fen, "quantity": r.quantity,
             "detail": r.detail} for r in data.rows[start:start + INSERT_BATCH]])
    await emit(session, CheckDatasetLoaded(
        source=source, dataset_id=dataset.id, dataset_version=dataset.version,
        data_date=data_date, sha256=data.sha256, rows=dataset.rows, filename=filename,
        loaded_at=dataset.loaded_at), subject=source, division=county)
    return dataset, True


async def list_datasets(session: AsyncSession, *, source: str, window: Window
                        ) -> Sequence[CheckDataset]:
    return (await session.scalars(window.apply(
        select(CheckDataset).where(CheckDataset.source == source)))).all()


@dataclass
class DatabaseDatasets:
    """The data files as the data-file sources read them (``DatasetStore``): each read in a
    short transaction of its own."""

    sessions: async_sessionmaker[AsyncSession]
    sealer: Sealer

    async def current(self, source: str) -> CurrentDataset | None:
        async with self.sessions() as session:
            dataset = await current_dataset(session, source)
        if dataset is None:
            return None
        # The file's key, which a rotation on another replica may have made since this one
        # read its keys: then they are read again (derived once a keyring).
        keyring = self.sealer.keyring_having(dataset.key_id)
        key = digest_keys(keyring, DIGEST_PURPOSE)[dataset.key_id]
        return CurrentDataset(dataset.id, dataset.version, dataset.data_date, dataset.sha256,
                              key)

    async def records(self, dataset_id: str, digests: Sequence[str]) -> list[DatasetRecord]:
        async with self.sessions() as session:
            rows = (await session.scalars(select(CheckRecord).where(
                CheckRecord.dataset_id == dataset_id, CheckRecord.id_digest.in_(digests))
                .order_by(CheckRecord.id))).all()
        return [DatasetRecord(r.id_digest, r.item, r.amount_fen, r.quantity, r.detail)
                for r in rows]
