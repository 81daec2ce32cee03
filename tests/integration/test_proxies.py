"""Proxies (代领) through disbursement's REST API (R-DI-5): the signed authorisation uploaded,
filed with the county; assistance staff and village cadres of intake's staff register refused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from datetime import date

import pytest

from shared.auth import Role
from shared.context import new_id
from shared.contracts.intake import StaffKind, StaffLeft, StaffRegistered
from tests.disbursement_cases import (
    CADRE_ID,
    HEAD_ID,
    OTHER_TOWNSHIP,
    PDF,
    SON_ID,
    VILLAGE,
    Disbursement,
    authorise,
    running_disbursement,
    staff_event,
)
from tests.events import envelope_of
from tests.investigations import png
from tests.support import bearer


@pytest.fixture
async def disbursement(make_settings) -> AsyncIterator[Disbursement]:
    async for d in running_disbursement(make_settings):
        yield d


async def test_r_di_5_a_village_cadre_is_refused_as_proxy_an_ordinary_relative_filed(disbursement):
    """R-DI-5: a proxy who is a village cadre on the staff register is refused (409, nothing
    written); the son, an ordinary relative, is authorised with the signed document and filed
    by the county; a cadre who left the post is no longer refused."""
    d = disbursement
    payee, _ = await d.household()
    cadre_post = new_id()
    await d.handle(staff_event(StaffKind.village_cadre, CADRE_ID, staff_id=cadre_post))
    refused = await authorise(d, payee, CADRE_ID)
    assert refused.status_code == 409, refused.text
    assert refused.json()["rule"] == "R-DI-5" and "村干部" in refused.json()["detail"]
    assert await d.outbox("proxy_authorised") == []

    r = await authorise(d, payee, SON_ID)
    assert r.status_code == 201, r.text
    proxy = r.json()
    assert proxy["status"] == "authorised" and SON_ID not in r.text
    assert proxy["proxy_id_number"] == SON_ID[:3] + "*" * 11 + SON_ID[-4:]
    assert proxy["document_sha256"] == hashlib.sha256(PDF).hexdigest()
    [authorised] = await d.outbox("proxy_authorised")
    assert SON_ID not in authorised
    assert json.loads(authorised)["data"]["proxy_id_number"].startswith("sealed:v1:")
    second = await authorise(d, payee, CADRE_ID)
    assert second.status_code == 409
    filing = f"/api/v1/proxies/{proxy['id']}/filing"
    assert (await d.client.post(filing, headers=d.caseworker, json={})).status_code == 403
    early = await d.client.post(filing, headers=d.county, json={"filed_on": "2026-12-07"})
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "filed_on"
    filed = await d.client.post(filing, headers=d.county, json={})
    assert filed.status_code == 200, filed.text
    assert (filed.json()["status"], filed.json()["filed_on"]) == ("filed", "2026-12-06")
    document = await d.client.get(f"/api/v1/proxies/{proxy['id']}/document", headers=d.county)
    assert document.status_code == 200 and document.content == PDF

    revoked = await d.client.post(f"/api/v1/proxies/{proxy['id']}/revocation",
                                  headers=d.caseworker, json={"reason": "本人已能自行取款"})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    await d.handle(envelope_of(StaffLeft(
        staff_id=cadre_post, name_masked="赵**", kind=StaffKind.village_cadre,
        assistance_staff=False, dedicated=False, division=VILLAGE,
        valid_from=date(2025, 1, 1), valid_until=date(2026, 12, 1)), subject=cadre_post,
        division=VILLAGE))
    assert (await authorise(d, payee, CADRE_ID)).status_code == 201


async def test_r_di_5_a_proxy_who_joins_the_staff_register_is_revoked(disbursement):
    """R-DI-5: the son, filed as proxy, later becomes a village assistant (协理员) on intake's
    staff register: his authorisation is revoked by the system, naming the post, and the
    revocation is an event; the register's event replayed changes nothing; a post that had
    already ended leaves a proxy in force."""
    d = disbursement
    payee, _ = await d.household()
    r = await authorise(d, payee, SON_ID)
    assert r.status_code == 201, r.text
    proxy = r.json()["id"]
    filed = await d.client.post(f"/api/v1/proxies/{proxy}/filing", headers=d.county, json={})
    assert filed.status_code == 200, filed.text

    post = staff_event(StaffKind.village_assistant, SON_ID)
    await d.handle(post)
    shown = (await d.client.get(f"/api/v1/proxies/{proxy}", headers=d.county)).json()
    assert shown["status"] == "revoked", shown
    assert "R-DI-5" in shown["revoked_reason"] and "村社会救助协理员" in shown["revoked_reason"]
    [revoked] = await d.outbox("proxy_revoked")
    data = json.loads(revoked)
    assert data["data"]["proxy_id"] == proxy and data["actor"]["role"] == "system"
    assert await d.app.state.kit.consumer.handle(post) is False  # the replay: nothing
    assert len(await d.outbox("proxy_revoked")) == 1

    # a post that ended before it arrived does not revoke the proxy now in force
    other, _ = await d.household()
    r = await authorise(d, other, CADRE_ID)
    assert r.status_code == 201, r.text
    ended = envelope_of(StaffRegistered(
        staff_id=new_id(), name_masked="赵**", id_number=CADRE_ID, kind=StaffKind.village_cadre,
        assistance_staff=False, dedicated=False, division=VILLAGE, title="村委会主任",
        valid_from=date(2020, 1, 1), valid_until=date(2023, 1, 1)), subject="post",
        division=VILLAGE)
    await d.handle(ended)
    shown = (await d.client.get(f"/api/v1/proxies/{r.json()['id']}", headers=d.county)).json()
    assert shown["status"] == "authorised"
    assert len(await d.outbox("proxy_revoked")) == 1


async def test_a_proxy_upload_is_checked_and_a_bad_one_changes_nothing(disbursement):
    """The document must be a PDF, JPEG or PNG whose bytes are of its type; the proxy is not the
    holder; a payee of another township is not found."""
    d = disbursement
    payee, _ = await d.household()
    wrong_type = await d.client.post("/api/v1/proxies", headers=d.caseworker, data={
        "payee_id": payee, "name": "王磊", "id_number": SON_ID, "relation": "chosen",
        "reason": "代领"}, files={"file": ("a.txt", b"hello", "text/plain")})
    assert wrong_type.status_code == 415
    disguised = await d.client.post("/api/v1/proxies", headers=d.caseworker, data={
        "payee_id": payee, "name": "王磊", "id_number": SON_ID, "relation": "chosen",
        "reason": "代领"}, files={"file": ("a.png", PDF, "image/png")})
    assert disguised.status_code == 422
    assert (await authorise(d, payee, HEAD_ID)).status_code == 422
    other = bearer(d.settings, Role.caseworker, [OTHER_TOWNSHIP])
    r = await d.client.post("/api/v1/proxies", headers=other, data={
        "payee_id": payee, "name": "王磊", "id_number": SON_ID, "relation": "chosen",
        "reason": "代领"}, files={"file": ("a.png", png(), "image/png")})
    assert r.status_code == 404
    assert await d.outbox("proxy_authorised") == []
