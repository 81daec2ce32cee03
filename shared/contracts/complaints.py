"""Events the complaints service publishes (投诉举报、信访, R-CO; and the county's oversight,
R-OV): complaints, petitions and hotline calls, media cases, spot checks, the rectification
ledger and the monthly supervision. Phone numbers are ``Personal`` and travel sealed."""

from __future__ import annotations

from typing import ClassVar

from shared.contracts.base import EventContract


class ComplaintsEvent(EventContract):
    service: ClassVar[str] = "complaints"


# --- complaints, petitions, hotline, media cases (services/complaints/complaints, hotline, ----
# --- media) -----------------------------------------------------------------------------------


# --- oversight: spot checks, monitoring, rectification ledger, monthly supervision ------------
# --- (services/complaints/spot_checks, monitoring, rectification, supervision) ----------------
