"""The benefit rules (救助标准, R-BE-1 … R-BE-12) as pure functions over plain data: no database,
no bus, no web. Inputs are the frozen dataclasses of ``household``, parameters those of
``parameters`` (one area's, or the county's by area as ``DEMO``); every rule returns an
``Assessment`` that explains itself step by step.
"""

from shared.benefits.area import (
    ParametersArg,
    applicable_area,
    border_rule_applies,
    select_parameters,
)
from shared.benefits.assessment import Assessment, Reason, Step, Unit
from shared.benefits.assets import AssetCheck, check_assets
from shared.benefits.calculate import assess
from shared.benefits.dibao import assess_dibao, assess_near_dibao
from shared.benefits.grounds import addon_grounds, single_person_grounds
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
from shared.benefits.income import Income, counted_income
from shared.benefits.parameters import DEMO, Area, Parameters, SelfCare
from shared.benefits.single import (
    add_months,
    gradual_exit,
    gradual_exit_period,
    single_person_benefit,
)
from shared.benefits.tekun import (
    CONCENTRATED_CARE_TARGET,
    assess_tekun,
    concentrated_care_rate,
    is_tekun,
    tekun_reasons,
)
from shared.benefits.temporary import cap_temporary_aid, temporary_aid_cap

__all__ = [
    "CONCENTRATED_CARE_TARGET",
    "DEMO",
    "NOT_COUNTED_KINDS",
    "Area",
    "Assessment",
    "Asset",
    "AssetCheck",
    "AssetKind",
    "DisabilityKind",
    "Expenditure",
    "ExpenditureKind",
    "Household",
    "Income",
    "IncomeItem",
    "IncomeKind",
    "Member",
    "Parameters",
    "ParametersArg",
    "Period",
    "Person",
    "Reason",
    "SelfCare",
    "Step",
    "Supporter",
    "Unit",
    "add_months",
    "addon_grounds",
    "applicable_area",
    "assess",
    "assess_dibao",
    "assess_near_dibao",
    "assess_tekun",
    "border_rule_applies",
    "cap_temporary_aid",
    "check_assets",
    "concentrated_care_rate",
    "counted_income",
    "gradual_exit",
    "gradual_exit_period",
    "is_tekun",
    "select_parameters",
    "single_person_benefit",
    "single_person_grounds",
    "tekun_reasons",
    "temporary_aid_cap",
]
