"""Rules of the public notice as plain functions (R-AP-3, R-AP-4, R-SE-3): the period from day
D to 24:00 of D+7, the first month paid, the certificate number, the public form's token."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.approval.notices.models import Notice, NoticeStatus
from services.approval.notices.outcome import format_certificate_number
from services.approval.notices.public import (
    FORM_VALID,
    BadFormToken,
    check_form_token,
    form_token,
    public_village,
)
from services.approval.notices.service import effective_month_of, is_open_at, notice_period
from shared.problems import NotFound
from shared.sealing import Keyring
from shared.workdays import SHANGHAI

VILLAGE = "230722100201"


@pytest.mark.parametrize(("confirmed", "posted", "closes", "end_utc"), [
    # 10:00 in Shanghai on 8 December: D = 8 Dec, open until 24:00 of 15 Dec (16:00 UTC)
    (datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI), date(2026, 12, 8), date(2026, 12, 15),
     datetime(2026, 12, 15, 16, 0, tzinfo=UTC)),
    # 23:30 UTC on 7 December is already 8 December in Shanghai: D is the Shanghai day
    (datetime(2026, 12, 7, 23, 30, tzinfo=UTC), date(2026, 12, 8), date(2026, 12, 15),
     datetime(2026, 12, 15, 16, 0, tzinfo=UTC)),
    # across the year's end
    (datetime(2026, 12, 28, 9, 0, tzinfo=SHANGHAI), date(2026, 12, 28), date(2027, 1, 4),
     datetime(2027, 1, 4, 16, 0, tzinfo=UTC)),
])
def test_notice_runs_from_day_d_to_24_00_of_d_plus_7_R_AP_3(confirmed, posted, closes, end_utc):
    assert notice_period(confirmed) == (posted, closes, end_utc)


def test_objections_are_taken_until_the_last_second_of_day_7_R_AP_3():
    _, _, end = notice_period(datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI))
    notice = Notice(status=NoticeStatus.open, closes_at=end)
    assert is_open_at(notice, end - timedelta(microseconds=1))
    assert not is_open_at(notice, end)
    notice.status = NoticeStatus.objected
    assert not is_open_at(notice, end - timedelta(days=1))


@pytest.mark.parametrize(("confirmed", "month"), [
    (datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI), "2027-01"),
    (datetime(2026, 11, 30, 23, 59, tzinfo=SHANGHAI), "2026-12"),
    (datetime(2026, 11, 30, 16, 30, tzinfo=UTC), "2027-01"),  # 1 Dec 00:30 in Shanghai
    (datetime(2027, 1, 31, 12, 0, tzinfo=SHANGHAI), "2027-02"),
])
def test_payment_starts_the_month_after_the_system_confirmation_R_AP_4(confirmed, month):
    """次月发放: the benefit starts at the confirmation time in the system (R-AP-4, R-DI-1)."""
    assert effective_month_of(confirmed) == month


def test_certificate_number_names_county_year_and_sequence_R_AP_4():
    assert format_certificate_number("230722", 2026, 123) == "230722-2026-000123"
    for bad in (0, 1_000_000):
        with pytest.raises(ValueError):
            format_certificate_number("230722", 2026, bad)
    with pytest.raises(ValueError):
        format_certificate_number("2307", 2026, 1)


def test_public_form_token_is_bound_to_its_village_and_expires():
    """The public objection form (R-AP-4): its token proves the page showed it, for this
    village, within its validity; an altered one, another village's or a stale one is refused;
    a token made with a rotated-out key is refused, one with an older key still known passes."""
    keys = Keyring.generate()
    shown = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    token = form_token(keys, village=VILLAGE, issued_at=shown)
    nonce = check_form_token(keys, token, village=VILLAGE, now=shown + timedelta(minutes=5))
    assert nonce and nonce in token
    assert check_form_token(keys, form_token(keys, village=VILLAGE, issued_at=shown),
                            village=VILLAGE, now=shown) != nonce  # one nonce per page shown
    for bad, village, now in (
            (token, "230722100202", shown),
            (token.replace(".", "x", 1), VILLAGE, shown),
            (token[:-4] + "k999", VILLAGE, shown),
            (token, VILLAGE, shown + FORM_VALID + timedelta(seconds=1)),
            (token, VILLAGE, shown - timedelta(hours=1)),
            ("", VILLAGE, shown), ("a.b.c.d", VILLAGE, shown)):
        with pytest.raises(BadFormToken):
            check_form_token(keys, bad, village=village, now=now)
    rotated = keys.with_new_key()
    assert check_form_token(rotated, token, village=VILLAGE, now=shown) == nonce
    with pytest.raises(BadFormToken):
        check_form_token(Keyring.generate(), token, village=VILLAGE, now=shown)


def test_public_page_is_for_villages_of_this_county_only():
    assert public_village(VILLAGE, county="230722", name="东风村").code == VILLAGE
    for code in ("230722100", "230723100201", "2307221002０1", "23072210020", "abc"):
        with pytest.raises(NotFound):
            public_village(code, county="230722", name="?")
