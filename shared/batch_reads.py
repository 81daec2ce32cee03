"""What a consumer's batch hook (``shared.inbox.prepared_by``) reads at once for its handlers."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from shared import direct
from shared.contracts.base import ANY_SERVICE, EventContract
from shared.db import per_transaction
from shared.events import Envelope


def application_ids(events: Iterable[Envelope], contract: type[EventContract]) -> list[str]:
    """The ``application_id`` of each of the batch's events of ``contract``, in order."""
    return [application_id for e in events
            if e.event == contract.event and contract.service in (ANY_SERVICE, e.service)
            and isinstance(application_id := e.data.get("application_id"), str)]


class Unopened:
    """Which of a batch's applications have nothing opened yet (a review case, an
    investigation): read in one query before the batch's first event (:meth:`read`), kept for
    the transaction (``per_transaction``), and taken once an application (:meth:`take`). A
    second event of the same application in the batch then reads the table, where the first
    one's row is."""

    __slots__ = ("key", "opened_among")

    def __init__(self, key: str, opened_among: direct.Statement) -> None:
        self.key = key
        """The ``session.info`` key of the transaction's answer."""
        self.opened_among = opened_among
        """Selects the ``application_id`` of the rows opened for any of the expanding
        ``:application_ids``."""

    async def read(self, session: AsyncSession, application_ids: Iterable[str]) -> None:
        """Which of these applications have nothing opened yet, in one query, kept for this
        transaction. Nothing is read for fewer than two distinct applications: for one, the
        handler's own read costs no more."""
        wanted = list(dict.fromkeys(application_ids))
        if len(wanted) < 2:
            return
        found = {row[0] for row in await direct.fetch(session, self.opened_among,
                                                      {"application_ids": wanted})}
        self._unopened(session).update(a for a in wanted if a not in found)

    def take(self, session: AsyncSession, application_id: str) -> bool:
        """True once if this transaction's :meth:`read` found nothing opened for the
        application (the caller opens it now, unread); else False (the caller reads)."""
        unopened = self._unopened(session)
        if application_id not in unopened:
            return False
        unopened.remove(application_id)
        return True

    def _unopened(self, session: AsyncSession) -> set[str]:
        unopened: set[str] = per_transaction(session, self.key, set)
        return unopened
