"""Monitoring endpoints (监测预警, R-OV-2): thin, the rules are in service.py and outliers.py."""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile

from services.complaints.monitoring import service
from services.complaints.monitoring.schemas import (
    FlagOut,
    InspectionIn,
    MonitoringOut,
    PopulationLoadDetailOut,
    PopulationLoadOut,
    TownshipOut,
)
from services.complaints.rectification.routes import item_out
from services.complaints.rectification.schemas import ItemOut
from shared.auth import Role, User, allow
from shared.contracts.fields import Month
from shared.inputs import PAGED, DivisionCode, Paging, RecordId
from shared.programs import Program
from shared.service import DbSession, Idempotent, Today

router = APIRouter(prefix="/monitoring", tags=["monitoring"])

Reader = Annotated[User, Depends(allow(Role.county_officer, Role.city_officer, Role.auditor))]
County = Annotated[User, Depends(allow(Role.county_officer))]
Year = Annotated[int, Path(ge=1900, le=2099, examples=[2026])]
CountyCode = Annotated[DivisionCode, Path(examples=["230722"])]

MAX_FILE = 1024 * 1024


def _rounded(value: Fraction | None, scale: int = 1) -> int | None:
    return None if value is None else int((value * scale + Fraction(1, 2)) // 1)


def _ratio(value: Fraction | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


@router.post("/population/{county}/{year}", response_model=PopulationLoadDetailOut,
             status_code=201,
             summary="Load a year's population figures per township (R-OV-2)",
             description="The county officer loads its townships' population of a year as CSV "
             "(multipart `file`, UTF-8): the header `township,population`, then one line per "
             "township of the county (9-digit code, a whole number; further columns such as "
             "the name are ignored). Checked whole: any fault refuses the file (422 "
             "`file-refused`, each line and its reason) and nothing is loaded. A year loaded "
             "again is its next version, used from then on; the earlier stays. Emits "
             "`population_figures_loaded`.", dependencies=[Idempotent])
async def load_population(
    session: DbSession, user: County, county: CountyCode, year: Year,
    file: Annotated[UploadFile, File(description="the CSV file")],
) -> PopulationLoadDetailOut:
    content = await file.read(MAX_FILE + 1)
    if len(content) > MAX_FILE:
        raise service.FileRefused(f"the file is larger than {MAX_FILE} bytes",
                                  faults=[{"line": 0, "reason": "too large"}])
    load = await service.load_population(session, user=user, county=county, year=year,
                                         content=content)
    return PopulationLoadDetailOut(**PopulationLoadOut.model_validate(load).model_dump(),
                                   figures=await service.figures_of(session, load.id))


@router.get("/population", response_model=list[PopulationLoadOut], responses=PAGED,
            summary="Population loads", description="The latest first; by year if given.")
async def list_loads(session: DbSession, user: Reader, page: Paging,
                     year: Annotated[int | None, Query(ge=1900, le=2099)] = None
                     ) -> list[PopulationLoadOut]:
    rows = await service.list_loads(session, user=user, year=year,
                                    window=page.window(service.LOADS))
    return [PopulationLoadOut.model_validate(r) for r in page.finish(rows, service.LOADS)]


@router.get("/population/loads/{load_id}", response_model=PopulationLoadDetailOut,
            summary="One population load with its figures",
            description="404 if there is none or outside your divisions.")
async def get_load(session: DbSession, user: Reader, load_id: RecordId
                   ) -> PopulationLoadDetailOut:
    load = await service.get_load(session, user=user, load_id=load_id)
    return PopulationLoadDetailOut(**PopulationLoadOut.model_validate(load).model_dump(),
                                   figures=await service.figures_of(session, load.id))


@router.get("/townships", response_model=MonitoringOut,
            summary="Coverage and average benefit per township, outliers flagged (R-OV-2)",
            description="For a county, a month and a program: per township the recipients paid "
            "in the month (from approval's events), the population figure in force (the "
            "latest version of the latest year up to the month's), coverage and the average "
            "monthly benefit against the county's; outliers flagged with the reason (the "
            "rule's parameters in `thresholds`). 403 `out-of-jurisdiction` for another "
            "county.")
async def monitor(session: DbSession, user: Reader, county: DivisionCode, month: Month,
                  program: Program = Program.DIBAO) -> MonitoringOut:
    result = await service.monitor(session, user=user, county=county, month=month,
                                   program=program.value)
    whole = result.county_figures
    return MonitoringOut(
        county=result.county, month=result.month, program=result.program,
        population_year=result.population_load.year if result.population_load else None,
        population_version=result.population_load.version if result.population_load else None,
        population=whole.population, recipients=whole.recipients, amount_fen=whole.amount_fen,
        coverage_percent=_ratio(result.county_coverage * 100
                                if result.county_coverage is not None else None),
        average_fen=_rounded(whole.average_fen), thresholds=result.thresholds.as_dict(),
        townships=[TownshipOut(
            township=r.township, population=r.figures.population,
            recipients=r.figures.recipients, persons=r.persons,
            amount_fen=r.figures.amount_fen,
            coverage_percent=_ratio(r.figures.coverage * 100
                                    if r.figures.coverage is not None else None),
            average_fen=_rounded(r.figures.average_fen),
            coverage_ratio=_ratio(r.judgement.coverage_ratio),
            average_ratio=_ratio(r.judgement.average_ratio), outlier=r.judgement.outlier,
            flags=[FlagOut(code=f.code, reason=f.reason) for f in r.judgement.flags],
        ) for r in result.townships])


@router.post("/inspections", response_model=ItemOut, status_code=201,
             summary="Send a flagged township to inspection (R-OV-2 → R-OV-3)",
             description="A township the monitoring flags for the month and program goes on "
             "the rectification ledger (source `monitoring`), its finding the flags' reasons; "
             "409 `township-not-flagged` if the monitoring does not flag it. Emits "
             "`rectification_item_opened`.", dependencies=[Idempotent])
async def send_to_inspection(session: DbSession, user: County, today: Today,
                             body: InspectionIn) -> ItemOut:
    item = await service.send_to_inspection(
        session, user=user, county=body.county, month=body.month, program=body.program.value,
        township=body.township, responsible=body.responsible, due_on=body.due_on)
    return item_out(item, today)
