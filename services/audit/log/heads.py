"""The head of a hash chain as a transaction appending to it knows it: read once, under a lock.

The operation log (``log.service``) and the log of its reads (``access.service``) are both
chains a transaction appends to, one link after another: each reads the last link once, under
the chain's append lock (PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers),
and carries it from append to append. The head is kept for the transaction
(``shared.db.per_transaction``): a transaction after one rolled back (a consumer's batch applied
again event by event, a session's next transaction) reads it again, never a head of links that
were not kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import lock_until_commit, per_transaction

Link = tuple[int, str]
"""A link of a chain: its number (seq, id) and its hash."""


@dataclass
class _Known:
    head: Link | None = None
    read: bool = False


class LastLink:
    """One chain's last link, for the transactions appending to it."""

    __slots__ = ("key", "lock_key", "last_link")

    def __init__(self, key: str, lock_key: int, last_link: Select[int, str]) -> None:
        self.key = key
        """The ``session.info`` key of the transaction's head."""
        self.lock_key = lock_key
        """The PostgreSQL advisory lock (transaction-scoped) that serialises appends."""
        self.last_link = last_link
        """Selects the last link's (number, hash), or nothing for an empty chain."""

    async def read(self, session: AsyncSession) -> Link | None:
        """The last link, read once a transaction, under the append lock."""
        known: _Known = per_transaction(session, self.key, _Known)
        if known.read:
            return known.head
        await lock_until_commit(session, self.lock_key)
        last = (await session.execute(self.last_link)).first()
        # Asked again: the transaction's own, begun by the statements above if it had not been.
        known = per_transaction(session, self.key, _Known)
        known.head, known.read = (int(last[0]), str(last[1])) if last else None, True
        return known.head

    def moved(self, session: AsyncSession, link: Link) -> None:
        """The transaction has appended ``link``: the head it carries to its next append."""
        per_transaction(session, self.key, _Known).head = link
