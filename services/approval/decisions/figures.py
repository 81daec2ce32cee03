"""What the initial opinion gives the benefit rules (R-AP-1): the investigated figures with the
caseworker's adjustments, and the members with their circumstances. Plain functions over the
case's kept data; the rules themselves are ``shared.benefits``."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.approval.decisions.schemas import Adjustment, Circumstances, OpinionIn
from shared.benefits import Asset, Expenditure, Household, IncomeItem, Member
from shared.problems import InvalidField

LINES = {"income": "income", "asset": "assets", "expenditure": "rigid_expenditure"}
"""An adjustment's figure and the investigation's list of it."""
ASSET_KINDS = {"deposit": "deposit", "securities": "deposit", "vehicle": "vehicle",
               "house": "home", "business": "other", "other": "other"}
"""The investigation's asset kinds as the rules count them (R-BE-10): securities are financial
assets like deposits; a business's assets are shown, not limited."""


def adjusted_figures(investigation: dict[str, Any] | None,
                     adjustments: list[Adjustment], member_ids: set[str]) -> dict[str, Any]:
    """The investigation's lines with the adjustments applied, each line saying where it came
    from (``investigation``, ``adjusted``, ``added``, ``doubt``); removed lines are kept apart.
    An adjustment naming a line or member that does not exist is a 422."""
    found = investigation or {}
    lines: dict[str, list[dict[str, Any]]] = {
        figure: [{**line, "source": "investigation"} for line in found.get(key) or []]
        for figure, key in LINES.items()}
    removed: list[dict[str, Any]] = []
    for n, change in enumerate(adjustments):
        field = f"adjustments.{n}"
        if change.member_id is not None and change.member_id not in member_ids:
            raise InvalidField(f"{field}.member_id", f"no member {change.member_id} in the case")
        if change.line is not None and change.line >= len(lines[change.figure]):
            raise InvalidField(f"{field}.line", f"the investigation has no {change.figure} "
                               f"line {change.line}")
    for change in adjustments:  # removals last, so line numbers stay the investigation's
        target = lines[change.figure]
        if change.remove:
            continue
        if change.line is None:
            target.append(_new_line(change))
        else:
            target[change.line] = _changed_line(target[change.line], change)
    for change in sorted((c for c in adjustments if c.remove), key=lambda c: -(c.line or 0)):
        line = lines[change.figure][change.line or 0]
        removed.append({**line, "figure": change.figure, "reason": change.reason})
        line["removed"] = True
    doubts = _doubt_lines(found, lines["income"])
    return {"income": [ln for ln in lines["income"] if not ln.get("removed")] + doubts,
            "assets": [ln for ln in lines["asset"] if not ln.get("removed")],
            "rigid_expenditure": [ln for ln in lines["expenditure"] if not ln.get("removed")],
            "removed": removed,
            "investigated_monthly_income_fen": found.get("monthly_income_fen")}


def _amount_key(figure: str) -> str:
    return "value_fen" if figure == "asset" else "monthly_fen"


def _new_line(change: Adjustment) -> dict[str, Any]:
    line: dict[str, Any] = {"member_id": change.member_id, "kind": change.kind,
                            "description": change.description or change.kind,
                            _amount_key(change.figure): change.amount_fen,
                            "source": "added", "reason": change.reason}
    if change.figure == "income":
        line["counted"] = True if change.counted is None else change.counted
    if change.figure == "asset":
        line["exempt"] = bool(change.exempt)
        line.pop("member_id")
    return line


def _changed_line(line: dict[str, Any], change: Adjustment) -> dict[str, Any]:
    new = {**line, "source": "adjusted", "reason": change.reason,
           "investigated": {k: v for k, v in line.items() if k != "source"}}
    for key, value in (("member_id", change.member_id), ("kind", change.kind),
                       ("description", change.description),
                       (_amount_key(change.figure), change.amount_fen),
                       ("counted", change.counted), ("exempt", change.exempt)):
        if value is not None:
            new[key] = value
    return new


def _doubt_lines(found: dict[str, Any], income: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Substantiated doubts that change income (R-VE-5): a rise is a line of its own; a fall
    lowers the counted lines in order, never below 0 (as verification's monthly income)."""
    added: list[dict[str, Any]] = []
    for doubt in found.get("doubts") or []:
        delta = doubt.get("income_delta_fen")
        if doubt.get("outcome") != "substantiated" or doubt.get("effect") != "income" or not delta:
            continue
        if delta > 0:
            added.append({"member_id": None, "kind": "other", "monthly_fen": delta,
                          "counted": True, "description": f"疑点核实 {doubt.get('item', '')}",
                          "source": "doubt", "doubt_id": doubt.get("doubt_id")})
            continue
        left = -delta
        for line in income:
            if left == 0:
                break
            if line.get("removed") or not line.get("counted", True):
                continue
            cut = min(left, line["monthly_fen"])
            line["monthly_fen"] -= cut
            line.setdefault("doubt_ids", []).append(doubt.get("doubt_id"))
            left -= cut
    return added


def household_of(*, case_area: str, county: str, members: list[dict[str, Any]],
                 circumstances: list[Circumstances], figures: dict[str, Any],
                 opinion: OpinionIn, on: date) -> Household:
    """The rules' household (R-BE): the case's members with the caseworker's assessment of
    each, the adjusted figures, the date ages are taken on."""
    known = {m["member_id"] for m in members}
    for n, c in enumerate(circumstances):
        if c.member_id not in known:
            raise InvalidField(f"members.{n}.member_id", f"no member {c.member_id} in the case")
    for name in ("single_person_member_id", "subject_member_id"):
        value = getattr(opinion, name)
        if value is not None and value not in known:
            raise InvalidField(name, f"no member {value} in the case")
    facts = {c.member_id: c.model_dump(exclude={"member_id"}) for c in circumstances}
    people = tuple(
        Member(member_id=m["member_id"], birth_date=date.fromisoformat(m["birth_date"]),
               covered=bool(m.get("counted", True)), **facts.get(m["member_id"], {}))
        for m in members)
    income = tuple(
        IncomeItem(kind=line["kind"], amount_fen=line["monthly_fen"],
                   member_id=line.get("member_id"), name=line.get("description") or "")
        for line in figures["income"] if line.get("counted", True))
    assets = tuple(
        Asset(kind=ASSET_KINDS[line["kind"]],  # type: ignore[arg-type]
              value_fen=line["value_fen"], exempt=bool(line.get("exempt")),
              exempt_reason=(line.get("exempt_reason") or line.get("reason") or "exempt")
              if line.get("exempt") else "", name=line.get("description") or "")
        for line in figures["assets"])
    expenditure = tuple(
        Expenditure(kind=line["kind"], amount_fen=line["monthly_fen"], period="monthly",
                    member_id=line.get("member_id"))
        for line in figures["rigid_expenditure"])
    return Household(area=case_area,  # type: ignore[arg-type]
                     county=county, members=people, income=income, assets=assets,
                     expenditure=expenditure,
                     long_lived_in_border_county=opinion.long_lived_in_border_county, on=on)
