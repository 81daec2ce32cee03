"""The benefit rules (救助标准, R-BE-1 … R-BE-12) as pure functions over plain data: no database,
no bus, no web. Inputs are the frozen dataclasses of ``household``, parameters those of
``parameters``; every rule returns an ``Assessment`` that explains itself step by step.
"""

from shared.benefits.assessment import Assessment, Reason, Step
from shared.benefits.household import (
    NOT_COUNTED_KINDS,
    Asset,
    AssetKind,
    DisabilityKind,
    Expenditure,
    ExpenditureKind,
    Household,
    IncomeItem,
    IncomeKind,
    Member,
    Period,
    Person,
    Supporter,
)
from shared.benefits.parameters import DEMO, Area, Parameters, SelfCare

__all__ = [
    "DEMO",
    "NOT_COUNTED_KINDS",
    "Area",
    "Assessment",
    "Asset",
    "AssetKind",
    "DisabilityKind",
    "Expenditure",
    "ExpenditureKind",
    "Household",
    "IncomeItem",
    "IncomeKind",
    "Member",
    "Parameters",
    "Period",
    "Person",
    "Reason",
    "SelfCare",
    "Step",
    "Supporter",
]
