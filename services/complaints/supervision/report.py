"""The monthly report's content (月度督导报告, R-OV-4): what is sent to the city, as JSON and as
the printable page, and kept as sent."""

from __future__ import annotations

from pydantic import BaseModel, Field

STAFF_MINIMUM = 2
"""二(四)7: each township has at least 2 dedicated social-assistance staff (专职工作人员)."""


class TownshipLine(BaseModel):
    township: str
    name: str | None = Field(description="from the division register, if known")
    dedicated_staff: int = Field(description="dedicated staff in post on the month's last day")
    staff_short: bool = Field(description=f"fewer than {STAFF_MINIMUM} dedicated staff")
    accepted: int = Field(description="applications accepted in the month (intake)")
    investigations_completed: int = Field(description="household investigations completed "
                                          "in the month (verification)")
    decided: int = Field(description="applications decided in the month (approval)")
    decided_on_time: int = Field(description="of those, decided by their review due date")
    on_time_percent: float | None = Field(description="decided_on_time / decided × 100")
    overdue_rectification: int = Field(description="ledger items past their deadline, not done")
    overdue_complaints: int = Field(description="complaints it handles past their handling "
                                    "deadline (R-CO-3)")
    overdue_answers: int = Field(description="answers to complainants past their deadline")
    spot_checks: int = Field(description="spot checks of its decisions done in the month")
    spot_check_findings: int = Field(description="of those, findings needing correction")
    supervised: bool = Field(description="the county's supervision record of the month exists")
    supervision_visit_id: str | None
    supervision_problems: int
    flags: list[str] = Field(description="what the city should look at, in words")


class MonthlyReport(BaseModel):
    county: str
    county_name: str | None
    month: str
    period_from: str
    period_to: str
    townships: list[TownshipLine]
    totals: dict[str, int] = Field(description="the county's sums of the townships' counts")
    townships_supervised: int
    townships_short_of_staff: int
    staff_minimum: int = STAFF_MINIMUM
