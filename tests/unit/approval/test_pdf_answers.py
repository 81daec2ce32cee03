"""The approval service's documents as answers (services/approval/pdf.py): rendered in a worker
thread, served inline; a record the renderer refuses is a 409 problem, never a 500."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.approval.pdf import NotPrintable, pdf_response
from shared.documents import refusal_notice
from tests.unit.documents.samples import REFUSAL


async def test_a_refusal_notice_is_served_as_an_inline_pdf_R_AP_5() -> None:
    response = await pdf_response(refusal_notice, REFUSAL, filename="refusal-1.pdf")
    assert response.media_type == "application/pdf"
    assert bytes(response.body).startswith(b"%PDF")
    assert response.headers["content-disposition"] == 'inline; filename="refusal-1.pdf"'


async def test_a_record_with_an_unmasked_id_number_is_not_printed_R_SE_3() -> None:
    """A full ID number that reached a stored reason is refused by the renderer: a 409 that
    names it, not a crash, and no document leaves."""
    leaked = replace(REFUSAL, reasons=("经核查, 230722195803120015 名下有车辆",))
    with pytest.raises(NotPrintable) as refused:
        await pdf_response(refusal_notice, leaked, filename="refusal-2.pdf")
    assert refused.value.status == 409 and "ID number" in refused.value.detail


async def test_a_character_outside_the_font_is_not_printed() -> None:
    rare = replace(REFUSAL, applicant_name="喆**")
    with pytest.raises(NotPrintable, match="U\\+5586"):
        await pdf_response(refusal_notice, rare, filename="refusal-3.pdf")
