"""The reconciliation's sign-off order as a plain rule (R-DI-7)."""

from __future__ import annotations

import pytest

from services.disbursement.reconciliation.models import ReconciliationStatus, SignoffStep
from services.disbursement.reconciliation.service import SignoffOutOfOrder, check_signoff
from shared.problems import FourEyes


def test_signoffs_go_handler_township_county_R_DI_7():
    """R-DI-7: handler (finance officer or caseworker), township leader, county officer."""
    assert check_signoff(status="compared", role="caseworker", user_id="a", signed_by=[]) == (
        SignoffStep.handler, ReconciliationStatus.handler_signed)
    assert check_signoff(status="compared", role="finance_officer", user_id="a",
                         signed_by=[])[0] == SignoffStep.handler
    assert check_signoff(status="handler_signed", role="township_leader", user_id="b",
                         signed_by=["a"]) == (SignoffStep.township,
                                              ReconciliationStatus.township_signed)
    assert check_signoff(status="township_signed", role="county_officer", user_id="c",
                         signed_by=["a", "b"]) == (SignoffStep.county,
                                                   ReconciliationStatus.county_signed)


@pytest.mark.parametrize(("status", "role"), [
    ("compared", "township_leader"), ("compared", "county_officer"),
    ("handler_signed", "caseworker"), ("handler_signed", "county_officer"),
    ("township_signed", "township_leader"), ("county_signed", "county_officer")])
def test_out_of_order_refused_R_DI_7(status, role):
    with pytest.raises(SignoffOutOfOrder):
        check_signoff(status=status, role=role, user_id="x", signed_by=[])


def test_one_person_signs_once_R_DI_7():
    """R-DI-7: each level a different person (four eyes)."""
    with pytest.raises(FourEyes):
        check_signoff(status="handler_signed", role="township_leader", user_id="a",
                      signed_by=["a"])
