"""What the village's public page shows (R-AP-3, R-DY-1, R-SE-3) and how it takes objections
without a token: a signed one-time form token, and limits per source address and per village.

Only masked notice data leaves here: the masked name, the village, the program, the household
size and the amount; never an ID number, a diagnosis or an address (R-SE-3)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.approval.cases.models import CaseStatus, ReviewCase
from services.approval.notices.models import Notice, NoticeStatus, Objection
from services.approval.roll.models import Beneficiary, RollStatus
from shared.problems import NotFound, Problem
from shared.programs import Program
from shared.sealing import Keyring

FORM_PURPOSE = "public-objection-form"
FORM_VALID = timedelta(hours=12)
"""How long a page's objection form may be sent after the page was shown."""
CLOCK_SKEW = timedelta(minutes=5)
PER_ADDRESS_PER_HOUR = 5
"""Public objections one source address may file in an hour."""
PER_VILLAGE_PER_HOUR = 60
"""Public objections a village's page takes in an hour, from everyone together."""
ON_THE_BOARD = (RollStatus.active, RollStatus.gradual_exit)


class TooManyObjections(Problem):
    """The public form's limits (per source address, per village) are reached: try later."""

    status, slug, title = 429, "too-many-objections", "Too many objections from here; try later"


class BadFormToken(Problem):
    """The form's token is missing, altered, expired or of another village: reload the page."""

    status, slug, title = 422, "objection-form-expired", "The form has expired; reload the page"


@dataclass(frozen=True)
class Village:
    code: str
    name: str


def public_village(code: str, *, county: str, name: str) -> Village:
    """A village (12 digits) of this installation's county; 404 for anything else."""
    if not (len(code) == 12 and code.isascii() and code.isdigit()) or code[:6] != county:
        raise NotFound(f"no village {code} in county {county}")
    return Village(code, name)


# --- what is shown ------------------------------------------------------------------------------


async def open_notices(session: AsyncSession, *, village: str, now: datetime
                       ) -> Sequence[Notice]:
    """R-AP-3: the village's notices open now (their case still in public notice)."""
    return (await session.scalars(
        select(Notice).join(ReviewCase, ReviewCase.id == Notice.case_id)
        .where(Notice.division == village, Notice.status == NoticeStatus.open,
               Notice.closes_at > now, ReviewCase.status == CaseStatus.in_public_notice)
        .order_by(Notice.posted_on, Notice.id))).all()


async def standing_board(session: AsyncSession, *, village: str) -> Sequence[Beneficiary]:
    """R-DY-1 长期公示: every dibao household on the roll of the village, masked."""
    return (await session.scalars(
        select(Beneficiary)
        .where(Beneficiary.division == village, Beneficiary.program == Program.DIBAO,
               Beneficiary.status.in_(ON_THE_BOARD))
        .order_by(Beneficiary.approved_at, Beneficiary.id))).all()


async def open_notice_of(session: AsyncSession, *, village: str, notice_id: str) -> Notice:
    notice = await session.get(Notice, notice_id)
    if notice is None or notice.division != village:
        raise NotFound(f"no public notice {notice_id} at village {village}")
    return notice


# --- the form's token ---------------------------------------------------------------------------


def _sign(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def form_token(keyring: Keyring, *, village: str, issued_at: datetime) -> str:
    """A one-time token for the village page's objection form: when it was shown, a nonce and
    an HMAC with a key derived from the installation's event keys (``<ts>.<nonce>.<mac>.<kid>``).
    Not a secret from the person who holds it: it proves the form came from this page, and
    its nonce makes the same form, sent twice, one objection."""
    kid, key = keyring.derived_key(FORM_PURPOSE)
    payload = f"{int(issued_at.timestamp())}.{secrets.token_urlsafe(12)}"
    return f"{payload}.{_sign(key, f'{village}.{payload}')}.{kid}"


def check_form_token(keyring: Keyring, token: str, *, village: str, now: datetime) -> str:
    """The token's nonce if it is this village's, unaltered and fresh; else 422."""
    parts = token.split(".", 3)
    if len(parts) != 4 or not parts[0].isdigit() or not 8 <= len(parts[1]) <= 40:
        raise BadFormToken("the objection form's token is not valid: reload the page")
    issued, nonce, mac, kid = parts
    try:
        _, key = keyring.derived_key(FORM_PURPOSE, kid)
    except KeyError:
        raise BadFormToken("the objection form's token is not valid: reload the page") from None
    if not hmac.compare_digest(mac, _sign(key, f"{village}.{issued}.{nonce}")):
        raise BadFormToken("the objection form's token is not valid: reload the page")
    shown = datetime.fromtimestamp(int(issued), now.tzinfo)
    if not now - FORM_VALID <= shown <= now + CLOCK_SKEW:
        raise BadFormToken("the objection form has expired: reload the page")
    return nonce


async def check_limits(session: AsyncSession, *, village: str, source_address: str | None,
                       now: datetime) -> None:
    """The public form's limits: a few objections an hour per source address, and a ceiling
    per village, so nobody floods a notice or the database (429)."""
    since = now - timedelta(hours=1)
    public = (Objection.channel == "public", Objection.filed_at >= since)
    if source_address:
        mine = await session.scalar(select(func.count()).select_from(Objection).where(
            *public, Objection.source_address == source_address))
        if (mine or 0) >= PER_ADDRESS_PER_HOUR:
            raise TooManyObjections(f"at most {PER_ADDRESS_PER_HOUR} objections an hour from "
                                    "one address; call the complaint telephone meanwhile")
    here = await session.scalar(
        select(func.count()).select_from(Objection)
        .join(Notice, Notice.id == Objection.notice_id)
        .where(*public, Notice.division == village))
    if (here or 0) >= PER_VILLAGE_PER_HOUR:
        raise TooManyObjections("this village's page takes no more objections this hour; call "
                                "the complaint telephone")
