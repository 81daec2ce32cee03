"""R-SE-2: full ID numbers travel sealed. The outbox, the stream, the operation log and its export
never hold them in clear; the consumer that needs them opens them; a key rotation loses nothing."""

from __future__ import annotations

from sqlalchemy import select

from services.intake.app import create_app as create_intake
from shared.sealing import rotate_keys
from tests.bus import stream_messages
from tests.e2e.test_application_case import application, resident_id
from tests.support import eventually, running

HEAD, SPOUSE = resident_id(seq="131"), resident_id(birth="19600101", seq="242")


async def investigation_of(county, application_id: str) -> dict | None:
    r = await county.verification.get("/api/v1/investigations",
                                      params={"application_id": application_id},
                                      headers=county.caseworker())
    return r.json()[0] if r.status_code == 200 and r.json() else None


async def test_r_se_2_id_numbers_are_sealed_everywhere_events_go(county, nats_server):
    r = await county.intake.post("/api/v1/applications", json=application(),
                                 headers=county.caseworker())
    assert r.status_code == 201, r.text
    app = r.json()
    # verification could validate the 18-character ID numbers: it opened them
    await eventually(lambda: investigation_of(county, app["id"]))

    async def accepted_logged():
        types = {e["type"] for e in await county.audit_log(app["id"])}
        return "assist.intake.application_accepted" in types

    await eventually(accepted_logged)
    kit = county.apps["intake"].state.kit
    async with kit.sessions() as session:
        payloads = list(await session.scalars(select(kit.outbox.c.payload)))
    on_stream = [m.data.decode() for m in await stream_messages(nats_server.url)]
    export = await county.audit.get("/api/v1/audit/export", headers=county.auditor())
    assert export.status_code == 200
    for where, text in (("outbox", "\n".join(payloads)), ("stream", "\n".join(on_stream)),
                        ("log export", export.text)):
        assert HEAD not in text and SPOUSE not in text, f"an ID number in clear in the {where}"
        assert "sealed:v1:k1:" in text, where
    report = (await county.audit.get("/api/v1/audit/verify", headers=county.auditor())).json()
    assert report["ok"] is True  # the chain covers the ciphertext


async def test_r_se_2_after_a_key_rotation_old_and_new_events_both_open(county, make_settings):
    first = (await county.intake.post("/api/v1/applications", json=application(),
                                      headers=county.caseworker())).json()
    await eventually(lambda: investigation_of(county, first["id"]))

    new_kid = rotate_keys(county.settings)  # the data folder all services share
    assert new_kid == "k2"
    restarted = create_intake(make_settings("intake"))  # seals with k2 from now on
    async with running(restarted) as intake:
        await restarted.state.kit.bus.wait_ready(10)
        other = application(members=[
            {"name": "赵小河", "id_number": resident_id(birth="19700505", seq="357"),
             "relationship": "head", "living_status": "at_home", "is_student": False}])
        r = await intake.post("/api/v1/applications", json=other, headers=county.caseworker())
        assert r.status_code == 201, r.text
        second = r.json()
        # verification still runs with the keys it read at start: it meets k2, reloads, opens
        await eventually(lambda: investigation_of(county, second["id"]))
    async with restarted.state.kit.sessions() as session:
        payloads = list(await session.scalars(select(restarted.state.kit.outbox.c.payload)))
    assert any("sealed:v1:k2:" in p for p in payloads)
    assert any("sealed:v1:k1:" in p for p in payloads)  # the first one's, kept as it was
    dead = await county.verification.get("/api/v1/dead-letters", headers=county.auditor())
    assert dead.status_code == 200 and dead.json() == []
