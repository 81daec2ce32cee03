"""The staff register reaches disbursement over the stream (R-DI-5, R-SE-2): a village cadre
registered at intake travels with the ID number sealed, and disbursement refuses them as a
recipient's proxy; once they leave the post, they may be one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.disbursement.app import create_app as create_disbursement
from services.disbursement.staff.models import RegisteredStaff
from services.intake.app import create_app as create_intake
from shared.auth import Role
from shared.events import Envelope
from shared.workdays import today_in_shanghai
from tests.bus import stream_messages
from tests.disbursement_cases import CADRE_ID, VILLAGE, Disbursement, authorise
from tests.support import bearer, eventually, load_division_register, running_all


async def test_r_di_5_a_cadre_registered_at_intake_is_refused_as_proxy_by_disbursement(
        make_settings, nats_server):
    """R-DI-5 end to end: intake's staff register → the stream (ID number sealed, never in
    clear) → disbursement's digests → the proxy refused; the departure lets them be one."""
    intake_settings = make_settings("intake")
    disbursement_settings = make_settings("disbursement")
    apps = [create_intake(intake_settings), create_disbursement(disbursement_settings)]
    async with running_all(apps) as (intake, client):
        for app in apps:
            await app.state.kit.bus.wait_ready(15)
        await load_division_register(intake, intake_settings)
        officer = bearer(intake_settings, Role.county_officer, ["230722"])
        r = await intake.post("/api/v1/staff", headers=officer, json={
            "name": "赵建国", "id_number": CADRE_ID, "kind": "village_cadre",
            "division": VILLAGE, "title": "村委会主任",
            "valid_from": str(today_in_shanghai() - timedelta(days=30))})
        assert r.status_code == 201, r.text
        staff_id = r.json()["id"]

        async def on_the_stream() -> list[Any]:
            return [m for m in await stream_messages(nats_server.url)
                    if Envelope.from_json(m.data).type == "assist.intake.staff_registered"]

        [message] = await eventually(on_the_stream, timeout=15)
        assert CADRE_ID.encode() not in message.data
        assert Envelope.from_json(message.data).data["id_number"].startswith("sealed:v1:")

        d = Disbursement(client, disbursement_settings, apps[1])

        async def kept() -> RegisteredStaff | None:
            async with apps[1].state.kit.sessions() as session:
                return await session.get(RegisteredStaff, staff_id)

        staff = await eventually(kept, timeout=15)
        assert staff.refused_as_proxy and CADRE_ID not in (staff.id_digest, staff.name_masked)
        payee, _ = await d.household()
        refused = await authorise(d, payee, CADRE_ID)
        assert refused.status_code == 409 and refused.json()["rule"] == "R-DI-5"

        left = await intake.post(f"/api/v1/staff/{staff_id}/departure", headers=officer,
                                 json={"reason": "换届"})
        assert left.status_code == 200, left.text

        async def ended() -> bool:
            found = await kept()
            return found is not None and found.valid_until is not None

        await eventually(ended, timeout=15)
        assert (await authorise(d, payee, CADRE_ID)).status_code == 201
