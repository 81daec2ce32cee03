"""The runner of check runs: asks the sources outside any transaction, so a slow department
holds no lock; the run and its results are written in short transactions before and after."""

from __future__ import annotations

import asyncio

from services.verification.checks import datasets, service
from services.verification.checks.config import build_source, configured_sources
from services.verification.checks.models import CheckRun
from services.verification.checks.sources import CheckSource, ask
from shared.service import ServiceKit
from shared.workers import PollingWorker, acting


class CheckRunner(PollingWorker):
    name = "check_runner"

    def __init__(self, kit: ServiceKit) -> None:
        super().__init__(kit)
        store = datasets.DatabaseDatasets(kit.sessions, kit.sealer)
        self.sources: dict[str, CheckSource] = {
            name: build_source(name, config, store)
            for name, config in configured_sources(kit.settings).items()}

    async def work_once(self) -> bool:
        async with self.kit.unit_of_work() as session:
            run = await service.claim_run(session)
            if run is None:
                return False
            plan = await service.plan_run(
                session, run, {name: s.items for name, s in self.sources.items()})
        names = sorted(plan.items_by_source)
        with acting(self.kit.service, run.correlation_id):
            answers = await asyncio.gather(*(
                ask(self.sources[n], service.query_of(run, plan, n)) for n in names))
            async with self.kit.unit_of_work() as session:
                claimed = await session.get(CheckRun, run.id)
                assert claimed is not None
                await service.record_run(session, claimed, dict(zip(names, answers, strict=True)))
        return True
