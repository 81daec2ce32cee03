"""Factories for tests of the investigation's work in verification: an accepted application's
investigation, its team, form, visits, letters, doubts and evidence, through the REST APIs."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, date, datetime
from typing import Any

import httpx

from shared.auth import issue_token
from shared.idcard import check_character
from shared.settings import Settings
from tests.support import eventually

TOWNSHIP = "230722100"  # 朝阳镇 (demo)
VILLAGE = "230722100201"  # 东风村 (demo)
OTHER_TOWNSHIP = "230722101"  # 乌云镇 (demo)
ALICE = ("cw-wang", "王芳", "caseworker")
BOB = ("tl-zhao", "赵刚", "township_leader")
CAROL = ("cw-sun", "孙丽", "caseworker")  # township staff, not on the team


def staff(settings: Settings, who: tuple[str, str, str],
          divisions: list[str] | None = None) -> dict[str, str]:
    """Authorization of a named township staff member (the name travels in the token)."""
    user_id, name, role = who
    token = issue_token(settings, user_id=user_id, role=role, divisions=divisions or [TOWNSHIP],
                        name=name)
    return {"Authorization": f"Bearer {token}"}


def resident_id(birth: str, serial: str) -> str:
    first17 = "230722" + birth + serial
    return first17 + check_character(first17)


def application(serial: int = 1) -> dict[str, Any]:
    """A complete dibao application of a couple in 东风村: accepted at once."""
    return {
        "program": "dibao", "channel": "window", "division": VILLAGE, "area": "rural",
        "contact_phone": "13800000000",
        "household": {"address": "朝阳镇东风村3组", "members": [
            {"name": "王大山", "id_number": resident_id("19580312", f"{serial * 2 + 1:03d}"),
             "relationship": "head", "living_status": "at_home", "is_student": False},
            {"name": "李秀英", "id_number": resident_id("19600101", f"{serial * 2:03d}"),
             "relationship": "spouse", "living_status": "at_home", "is_student": False}]},
        "materials": ["application_form", "id_card", "household_register", "income_statement",
                      "property_declaration", "authorization_letter"],
    }


def team(*people: tuple[str, str, str]) -> dict[str, Any]:
    return {"investigators": [{"user_id": u, "name": n, "role": r} for u, n, r in people],
            "village_helper": {"name": "刘村长", "title": "村委会主任"}}


def form(members: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    """An investigation form of a two-person household: the head's wages, the spouse's
    transfer, a deposit and an exempt vehicle."""
    head, spouse = members[0]["member_id"], members[1]["member_id"]
    body: dict[str, Any] = {
        "visited_on": date.today().isoformat(),
        "situation": "夫妻二人务农, 丈夫腿部残疾, 劳动能力弱",
        "income": [
            {"member_id": head, "kind": "wages", "description": "农闲打零工",
             "monthly_fen": 80000, "verified_by": "letter"},
            {"member_id": spouse, "kind": "transfer", "description": "子女赡养费",
             "monthly_fen": 30000},
            {"member_id": head, "kind": "transfer", "description": "残疾人两项补贴",
             "monthly_fen": 9000, "counted": False, "not_counted_reason": "社会救助类补贴"},
        ],
        "assets": [
            {"kind": "deposit", "description": "信用社存款", "value_fen": 350000},
            {"kind": "vehicle", "description": "残疾人代步车", "value_fen": 200000,
             "exempt": True, "exempt_reason": "残疾人代步所需"},
        ],
        "rigid_expenditure": [
            {"member_id": head, "kind": "disability_rehabilitation", "description": "康复治疗",
             "monthly_fen": 20000}],
        "living_conditions": {"housing": "owned", "floor_area_m2": 60,
                              "condition": "砖瓦房, 家具简陋"},
    }
    return body | overrides


def png(size: int = 200, seed: int = 0) -> bytes:
    """A small real PNG (1×1, grey) padded with a text chunk to about ``size`` bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    pixels = chunk(b"IDAT", zlib.compress(bytes([0, seed % 256])))
    padding = chunk(b"tEXt", b"c\x00" + b"x" * max(0, size - 70))
    return b"\x89PNG\r\n\x1a\n" + header + padding + pixels + chunk(b"IEND", b"")


def now() -> str:
    return datetime.now(UTC).isoformat()


async def investigation_of(verification: httpx.AsyncClient, application_id: str,
                           headers: dict[str, str]) -> dict[str, Any]:
    """The investigation opened for an accepted application, once verification has it."""
    async def found() -> dict[str, Any] | None:
        r = await verification.get("/api/v1/investigations",
                                   params={"application_id": application_id}, headers=headers)
        return r.json()[0] if r.status_code == 200 and r.json() else None

    listed = await eventually(found, timeout=15)
    r = await verification.get(f"/api/v1/investigations/{listed['id']}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def upload(verification: httpx.AsyncClient, investigation_id: str, headers: dict[str, str],
                 content: bytes, *, kind: str = "photo", media_type: str = "image/png",
                 name: str = "photo.png") -> httpx.Response:
    return await verification.post(
        f"/api/v1/investigations/{investigation_id}/evidence", headers=headers,
        files={"file": (name, content, media_type)}, data={"kind": kind})


async def ready_to_complete(verification: httpx.AsyncClient, investigation_id: str,
                            settings: Settings) -> None:
    """Take an open investigation to where it can complete: two investigators who confirmed
    the form, and the household's confirmation (R-VE-1)."""
    alice, bob = staff(settings, ALICE), staff(settings, BOB)
    base = f"/api/v1/investigations/{investigation_id}"
    detail = (await verification.get(base, headers=alice)).json()
    steps = [
        ("PUT", "/investigators", alice, team(ALICE, BOB)),
        ("PUT", "/form", alice, form(detail["members"])),
        ("POST", "/form/confirmations", alice, {"version": 1}),
        ("POST", "/form/confirmations", bob, {"version": 1}),
        ("POST", "/form/household-confirmation", bob,
         {"version": 1, "name": "王大山", "relationship": "户主", "method": "fingerprint"}),
    ]
    for method, path, headers, body in steps:
        r = await verification.request(method, base + path, json=body, headers=headers)
        assert r.status_code in (200, 201), f"{method} {path}: {r.text}"
