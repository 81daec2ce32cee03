"""Which requests are staff operations to record (R-AU-1), and how they are named."""

import pytest

from shared.operations import operation_subject, route_template, should_record


@pytest.mark.parametrize(("role", "status", "emitted", "recorded"), [
    ("caseworker", 200, False, True),   # a read
    ("caseworker", 201, True, False),   # a write: its domain events record it
    ("caseworker", 204, False, True),   # a write that emitted nothing is still recorded
    ("caseworker", 403, False, True),   # a refusal for role or jurisdiction
    ("caseworker", 422, False, False),  # invalid input changes nothing
    ("caseworker", 404, False, False),
    ("caseworker", 409, False, False),
    ("public", 401, False, False),      # no valid token: not a staff operation
    ("public", 200, False, False),
])
def test_r_au_1_which_requests_are_recorded(role, status, emitted, recorded):
    assert should_record(role=role, status=status, emitted=emitted) is recorded


def test_r_se_1_a_record_outside_the_divisions_answered_404_is_recorded_as_an_attempt():
    """R-SE-1, R-AU-1: the caller is told there is no such record; the log knows they tried."""
    assert should_record(role="caseworker", status=404, emitted=False, hidden=True)
    assert not should_record(role="caseworker", status=404, emitted=False, hidden=False)


def test_the_record_and_the_route_of_an_operation():
    scope = {"path": "/api/v1/applications/ab12/materials",
             "path_params": {"application_id": "ab12"}}
    assert route_template(scope) == "/api/v1/applications/{application_id}/materials"
    assert operation_subject(scope) == "ab12"
    listing = {"path": "/api/v1/applications", "path_params": {}}
    assert route_template(listing) == operation_subject(listing) == "/api/v1/applications"
