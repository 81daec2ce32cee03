"""The county's and the city's oversight inside the complaints service (监督管理, R-OV-1 …
R-OV-4): the rectification ledger, spot checks, monitoring and the monthly supervision, whole
cases through the REST API and real events (both engines, real NATS)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

from services.complaints.app import create_app as create_complaints
from shared.auth import Role
from shared.context import new_id
from shared.contracts.approval import (
    ApplicationDecided,
    BeneficiaryAdjusted,
    BeneficiaryApproved,
    BeneficiaryStopped,
    ReviewDeadlineExtended,
)
from shared.contracts.intake import StaffKind, StaffLeft, StaffRegistered
from shared.contracts.verification import InvestigationCompleted
from shared.events import Envelope
from tests.bus import consumer_drained, publish
from tests.events import accepted, envelope_of
from tests.support import bearer, eventually, outbox_types, ready, running

COUNTY = "230722"  # 嘉荫县
TOWNSHIP = "230722100"  # 朝阳镇
OTHER_TOWNSHIP = "230722101"  # 乌云镇
CITY = "230700"  # 伊春市
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 1 December 2026, 10:00 in Beijing


def county(settings):
    return bearer(settings, Role.county_officer, [COUNTY])


def leader(settings, township=TOWNSHIP):
    return bearer(settings, Role.township_leader, [township])


async def test_an_inspection_finding_followed_to_closed_and_overdue_listed_R_OV_3(make_settings):
    """R-OV-3: the county puts an inspection finding on the ledger with the responsible person
    and deadline; the township follows it up (appended, never rewritten); past the deadline it
    is on the overdue list; closed with its result it leaves it. Another township sees none of
    it; a past deadline, a closed item's follow-up and a village assistant are refused."""
    settings = make_settings("complaints")
    app = create_complaints(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        app.state.kit.clock.set(NOW)
        body = {"source": "inspection", "source_id": "DC-2026-12-01", "division": TOWNSHIP,
                "finding": "3户低保家庭入户调查记录缺少调查人签字",
                "responsible": "李明 朝阳镇民政办主任", "due_on": "2026-12-15"}
        late = await client.post("/api/v1/rectification/items", headers=county(settings),
                                 json={**body, "due_on": "2026-11-30"})
        assert late.status_code == 422, late.text
        assert late.json()["rule"] == "R-OV-3"
        outside = await client.post("/api/v1/rectification/items",
                                    headers=bearer(settings, Role.county_officer, ["230721"]),
                                    json=body)
        assert outside.status_code == 403
        assistant = await client.post("/api/v1/rectification/items", json=body,
                                      headers=bearer(settings, Role.village_assistant,
                                                     [TOWNSHIP + "201"]))
        assert assistant.status_code == 403
        assert (await client.get("/api/v1/rectification/items",
                                 headers=county(settings))).json() == []

        opened = await client.post("/api/v1/rectification/items", headers=county(settings),
                                   json=body)
        assert opened.status_code == 201, opened.text
        item = opened.json()
        assert (item["status"], item["overdue"], item["follow_ups"]) == ("open", False, [])
        url = f"/api/v1/rectification/items/{item['id']}"
        assert (await client.get(url, headers=leader(settings, OTHER_TOWNSHIP))).status_code \
            == 404

        step = await client.post(f"{url}/follow-ups", headers=leader(settings),
                                 json={"note": "已补齐2户调查记录签字"})
        assert step.status_code == 201, step.text
        assert step.json()["status"] == "rectifying"

        app.state.kit.clock.advance(timedelta(days=15))  # the 16th: past the 15th
        overdue = await client.get("/api/v1/rectification/items", headers=county(settings),
                                   params={"overdue": "true"})
        assert overdue.status_code == 200, overdue.text
        assert [i["id"] for i in overdue.json()] == [item["id"]]
        assert overdue.json()[0]["overdue"] is True
        # the daily job notes it once as an event; run again it notes nothing twice
        for noted in ("1 rectification items", "0 rectification items"):
            run = await client.post("/api/v1/jobs/note_overdue_rectification/run",
                                    headers=county(settings))
            assert run.status_code == 200, run.text
            assert noted in run.text
        await client.post(f"{url}/follow-ups", headers=leader(settings),
                          json={"note": "第3户已补签"})

        closed = await client.post(f"{url}/close", headers=county(settings),
                                   json={"result": "经县民政局复查, 整改完成"})
        assert closed.status_code == 200, closed.text
        done = closed.json()
        assert (done["status"], done["overdue"], done["closed_on"]) == ("done", False,
                                                                        "2026-12-16")
        assert [(f["seq"], f["note"]) for f in done["follow_ups"]] == [
            (1, "已补齐2户调查记录签字"), (2, "第3户已补签")]
        assert (await client.get("/api/v1/rectification/items", headers=county(settings),
                                 params={"overdue": "true"})).json() == []
        again = await client.post(f"{url}/close", headers=county(settings),
                                  json={"result": "again"})
        assert again.status_code == 409
        assert again.json()["type"].endswith("rectification-closed")
        more = await client.post(f"{url}/follow-ups", headers=leader(settings),
                                 json={"note": "more"})
        assert more.status_code == 409
        assert (await client.get(url, headers=leader(settings))).json() == done
        kinds = [t for t in await outbox_types(app.state.kit) if ".rectification" in t]
        assert kinds == ["assist.complaints.rectification_item_opened",
                         "assist.complaints.rectification_followed_up",
                         "assist.complaints.rectification_item_overdue",
                         "assist.complaints.rectification_followed_up",
                         "assist.complaints.rectification_item_closed"]  # refusals: none


def decided(case_id: str, division: str, day: date, outcome: str = "approved") -> Envelope:
    """Approval's decision of a case, as approval publishes it."""
    application_id = new_id()
    return envelope_of(ApplicationDecided(
        case_id=case_id, application_id=application_id,
        application_number=f"SQ{COUNTY}-{application_id[:8]}", program="dibao",
        division=division, outcome=outcome,
        decided_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=2),
        decided_on=day), subject=case_id, division=division)


async def test_a_spot_check_draw_reproduced_from_its_seed_and_a_finding_rectified_R_OV_1_R_OV_3(
        make_settings, nats_server):
    """R-OV-1: approval's decisions of November make the register; the county draws at least
    half of each township's (ceil: 5 → 3, 3 → 2), a decision of another county or of December
    is not in it; the draw is an event and is reproduced from its stored seed. A check by home
    visit needing correction opens a rectification item (R-OV-3), followed to closed; a file
    review without a finding opens none; a result is recorded once."""
    settings = make_settings("complaints")
    app = create_complaints(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        app.state.kit.clock.set(NOW)
        ours = [decided(f"a{i:031}", TOWNSHIP + "201", date(2026, 11, 2 + i)) for i in range(5)]
        ours += [decided(f"b{i:031}", OTHER_TOWNSHIP, date(2026, 11, 10 + i), "rejected")
                 for i in range(3)]
        others = [decided("c" * 32, "230781100", date(2026, 11, 5)),  # 铁力市: another county
                  decided("d" * 32, TOWNSHIP, date(2026, 12, 1))]  # not in November
        await publish(nats_server.url, *ours, *others)
        await eventually(lambda: consumer_drained(nats_server.url, "complaints"))
        period = {"county": COUNTY, "period_from": "2026-11-01", "period_to": "2026-11-30"}
        early = await client.post("/api/v1/spot-checks/draws", headers=county(settings),
                                  json={**period, "period_to": "2026-12-01"})
        assert early.status_code == 422, early.text  # the period has not ended
        low = await client.post("/api/v1/spot-checks/draws", headers=county(settings),
                                json={**period, "share_percent": 40})
        assert low.status_code == 422

        async def drawn():
            answer = await client.post("/api/v1/spot-checks/draws", headers=county(settings),
                                       json=period)
            return answer if answer.status_code == 201 else None

        made = (await eventually(drawn)).json()
        assert (made["population_count"], made["sample_count"], made["share_percent"]) == (
            8, 5, 50)
        assert made["townships"] == [
            {"township": TOWNSHIP, "population": 5, "sample": 3},
            {"township": OTHER_TOWNSHIP, "population": 3, "sample": 2}]
        assert len(made["seed"]) == 32
        draw_url = f"/api/v1/spot-checks/draws/{made['id']}"
        again = (await client.get(f"{draw_url}/reproduction",
                                  headers=county(settings))).json()
        assert again["reproduced"] is True and again["population_unchanged"] is True
        assert len(again["recorded_sample"]) == 5
        assert set(again["recorded_sample"]) <= {e.subject for e in ours}
        # the same seed on another draw of the same period gives the same sample
        twin = await client.post("/api/v1/spot-checks/draws", headers=county(settings),
                                 json={**period, "seed": made["seed"]})
        twin_sample = (await client.get(f"/api/v1/spot-checks/draws/{twin.json()['id']}/"
                                        "reproduction", headers=county(settings))).json()
        assert twin_sample["recorded_sample"] == again["recorded_sample"]
        assert "assist.complaints.spot_check_drawn" in await outbox_types(app.state.kit)

        checks = (await client.get("/api/v1/spot-checks/checks", headers=county(settings),
                                   params={"draw_id": made["id"]})).json()
        assert [c["case_id"] for c in sorted(checks, key=lambda c: c["position"])] == \
            again["recorded_sample"]
        mine = (await client.get("/api/v1/spot-checks/checks", headers=leader(settings),
                                 params={"draw_id": made["id"]})).json()
        assert {c["township"] for c in mine} == {TOWNSHIP} and len(mine) == 3
        assert (await client.get(draw_url, headers=leader(settings))).status_code == 404

        first, second = mine[0], mine[1]
        needs = {"method": "home_visit", "finding": "家庭收入核算漏计外出务工收入",
                 "needs_correction": True, "responsible": "李明 朝阳镇民政办主任"}
        missing = await client.post(f"/api/v1/spot-checks/checks/{first['id']}/result",
                                    headers=county(settings), json=needs)
        assert missing.status_code == 422  # no correction deadline
        result = await client.post(f"/api/v1/spot-checks/checks/{first['id']}/result",
                                   headers=county(settings),
                                   json={**needs, "correction_due_on": "2026-12-20"})
        assert result.status_code == 200, result.text
        checked = result.json()
        assert (checked["status"], checked["method"], checked["correction_due_on"]) == (
            "checked", "home_visit", "2026-12-20")
        twice = await client.post(f"/api/v1/spot-checks/checks/{first['id']}/result",
                                  headers=county(settings), json={**needs,
                                                                  "correction_due_on":
                                                                  "2026-12-20"})
        assert twice.status_code == 409
        fine = await client.post(f"/api/v1/spot-checks/checks/{second['id']}/result",
                                 headers=county(settings),
                                 json={"method": "file_review", "finding": "档案齐全",
                                       "needs_correction": False})
        assert fine.json()["rectification_item_id"] is None

        item_url = f"/api/v1/rectification/items/{checked['rectification_item_id']}"
        item = (await client.get(item_url, headers=leader(settings))).json()
        assert (item["source"], item["source_id"], item["case_id"], item["due_on"]) == (
            "spot_check", first["id"], first["case_id"], "2026-12-20")
        assert item["responsible"] == "李明 朝阳镇民政办主任"
        await client.post(f"{item_url}/follow-ups", headers=leader(settings),
                          json={"note": "已重新核算收入, 调整保障金额"})
        closed = await client.post(f"{item_url}/close", headers=county(settings),
                                   json={"result": "复查属实, 整改完成"})
        assert closed.json()["status"] == "done"
        ledger = (await client.get("/api/v1/rectification/items", headers=county(settings),
                                   params={"source": "spot_check"})).json()
        assert [i["id"] for i in ledger] == [item["id"]]


def approved(beneficiary_id: str, division: str, amount_fen: int, month: str = "2026-10",
             members: int = 2) -> Envelope:
    return envelope_of(BeneficiaryApproved(
        beneficiary_id=beneficiary_id, application_id=new_id(), program="dibao",
        division=division, head_name_masked="王*国", amount_fen=amount_fen,
        effective_month=month, member_ids=[new_id() for _ in range(members)]),
        subject=beneficiary_id, division=division)


def population_csv(*rows: tuple[str, int | str]) -> dict:
    text = "township,population,name\n" + "".join(f"{t},{n},某镇\n" for t, n in rows)
    return {"file": ("population-2026.csv", text.encode(), "text/csv")}


async def test_a_township_flagged_as_an_outlier_from_approval_events_R_OV_2(make_settings,
                                                                           nats_server):
    """R-OV-2: population figures loaded as CSV (a faulty file refused whole; a second load of
    the year is its version 2, in force); recipients and amounts from approval's events
    (approved, adjusted, stopped); in November 朝阳镇 covers 1.0% (30/59 of the county's: not
    under half), 乌云镇 0.9% after a stop (under half: flagged low), 红光镇 4.0% (over 1.5×:
    flagged high), each with the reason; a flagged township goes to inspection as a
    rectification item (R-OV-3), one not flagged is refused."""
    settings = make_settings("complaints")
    app = create_complaints(settings)
    third = "230722102"
    async with running(app) as client:
        await eventually(lambda: ready(client))
        app.state.kit.clock.set(NOW)
        url = f"/api/v1/monitoring/population/{COUNTY}/2026"
        bad = await client.post(url, headers=county(settings), files=population_csv(
            (TOWNSHIP, 1000), ("230781100", 50), (OTHER_TOWNSHIP, "many")))
        assert bad.status_code == 422, bad.text
        assert [f["line"] for f in bad.json()["faults"]] == [3, 4]
        keyed = {**county(settings), "Idempotency-Key": "population-2026-first"}
        first = await client.post(url, headers=keyed, files=population_csv(
            (TOWNSHIP, 1000), (OTHER_TOWNSHIP, 1000), (third, 500)))
        assert first.status_code == 201, first.text
        # an upload sent again with its key is answered as before (the form's parts are its
        # fingerprint); another file under the same key is refused
        replay = await client.post(url, headers=keyed, files=population_csv(
            (TOWNSHIP, 1000), (OTHER_TOWNSHIP, 1000), (third, 500)))
        assert replay.json() == first.json()
        reused = await client.post(url, headers=keyed, files=population_csv(
            (TOWNSHIP, 1001), (OTHER_TOWNSHIP, 1000), (third, 500)))
        assert reused.json()["type"] == "urn:assist:problem:idempotency-key-reused"
        second = await client.post(url, headers=county(settings), files=population_csv(
            (TOWNSHIP, 1000), (OTHER_TOWNSHIP, 1000), (third, 1000)))
        assert (second.json()["version"], second.json()["total_population"]) == (2, 3000)
        assert second.json()["figures"][third] == 1000
        outside = await client.post("/api/v1/monitoring/population/230781/2026",
                                    headers=county(settings),
                                    files=population_csv(("230781100", 10)))
        assert outside.status_code == 403

        ids = {t: [new_id() for _ in range(n)]
               for t, n in ((TOWNSHIP, 10), (OTHER_TOWNSHIP, 10), (third, 40))}
        events = [approved(b, t + "201", 50_000) for t, bs in ids.items() for b in bs]
        events.append(envelope_of(BeneficiaryAdjusted(
            beneficiary_id=ids[TOWNSHIP][0], amount_fen=60_000, effective_month="2026-11"),
            subject=ids[TOWNSHIP][0]))
        events.append(envelope_of(BeneficiaryStopped(
            beneficiary_id=ids[OTHER_TOWNSHIP][0], effective_month="2026-11",
            division=OTHER_TOWNSHIP + "201"), subject=ids[OTHER_TOWNSHIP][0]))
        # an adjustment of a beneficiary approved before the monitoring ran: skipped by it,
        # still taken by the case links sharing the event's transaction
        stranger = new_id()
        events.append(envelope_of(BeneficiaryAdjusted(
            beneficiary_id=stranger, amount_fen=70_000, effective_month="2026-11",
            division=TOWNSHIP + "201"), subject=stranger, division=TOWNSHIP + "201"))
        await publish(nats_server.url, *events)
        await eventually(lambda: consumer_drained(nats_server.url, "complaints"))
        linked = await client.get("/api/v1/case-references", headers=county(settings),
                                  params={"record_id": stranger})
        assert [r["last_event_type"] for r in linked.json()] == [
            "assist.approval.beneficiary_adjusted"]

        async def november():
            answer = await client.get("/api/v1/monitoring/townships", headers=county(settings),
                                      params={"county": COUNTY, "month": "2026-11"})
            assert answer.status_code == 200, answer.text
            body = answer.json()
            return body if body["recipients"] == 59 else None

        body = await eventually(november)
        assert (body["population"], body["population_year"], body["population_version"]) == (
            3000, 2026, 2)
        rows = {r["township"]: r for r in body["townships"]}
        assert (rows[TOWNSHIP]["recipients"], rows[TOWNSHIP]["outlier"]) == (10, False)
        assert rows[TOWNSHIP]["amount_fen"] == 9 * 50_000 + 60_000
        assert rows[TOWNSHIP]["persons"] == 20
        assert rows[OTHER_TOWNSHIP]["recipients"] == 9
        assert [f["code"] for f in rows[OTHER_TOWNSHIP]["flags"]] == ["coverage_low"]
        assert [f["code"] for f in rows[third]["flags"]] == ["coverage_high"]
        assert "4.00%" in rows[third]["flags"][0]["reason"]
        assert rows[third]["coverage_percent"] == 4.0
        october = (await client.get("/api/v1/monitoring/townships", headers=county(settings),
                                    params={"county": COUNTY, "month": "2026-10"})).json()
        assert october["recipients"] == 60  # the stop holds from November
        refused = await client.get("/api/v1/monitoring/townships",
                                   headers=bearer(settings, Role.county_officer, ["230781"]),
                                   params={"county": COUNTY, "month": "2026-11"})
        assert refused.status_code == 403

        inspection = {"county": COUNTY, "month": "2026-11", "program": "dibao",
                      "township": third, "responsible": "张伟 红光镇民政办主任",
                      "due_on": "2026-12-31"}
        sent = await client.post("/api/v1/monitoring/inspections", headers=county(settings),
                                 json=inspection)
        assert sent.status_code == 201, sent.text
        assert (sent.json()["source"], sent.json()["division"]) == ("monitoring", third)
        assert "coverage 4.00%" in sent.json()["finding"]
        calm = await client.post("/api/v1/monitoring/inspections", headers=county(settings),
                                 json={**inspection, "township": TOWNSHIP})
        assert calm.status_code == 409
        assert calm.json()["type"].endswith("township-not-flagged")


def staff(division: str, *, dedicated: bool, valid_until: date | None = None,
          left: bool = False) -> Envelope:
    staff_id = new_id()
    kind = StaffKind.township_dedicated if dedicated else StaffKind.caseworker
    facts = {"staff_id": staff_id, "name_masked": "赵**", "kind": kind,
             "assistance_staff": True, "dedicated": dedicated, "division": division,
             "valid_from": date(2025, 1, 1)}
    if left:
        assert valid_until is not None
        return envelope_of(StaffLeft(**facts, valid_until=valid_until), subject=staff_id,
                           division=division)
    return envelope_of(StaffRegistered(**facts, id_number="230722198503031040",
                                       valid_until=valid_until), subject=staff_id,
                       division=division)


async def test_the_monthly_report_to_the_city_as_json_and_a4_page_R_OV_4(make_settings,
                                                                        nats_server):
    """R-OV-4: November's report per township from the events: 朝阳镇 has 2 dedicated staff,
    乌云镇 1 (a second left on 20 November; a part-time caseworker does not count): flagged;
    acceptance, investigations completed, decisions and the on-time rate (by the review due
    date, extended once); the month's supervision record with a problem on the ledger, overdue
    by the time of the report; the month's spot checks. Sent to the city: recorded with its
    digest and an event; readable by the city as JSON and as an A4 page that fetches nothing
    from outside; another county's officer sees none of it."""
    settings = make_settings("complaints")
    app = create_complaints(settings)
    async with running(app) as client:
        await eventually(lambda: ready(client))
        # a complaint the township handles, registered on 2 November: by 2 December past its
        # 15 working days of handling and its 20 of the answer (R-CO-3)
        app.state.kit.clock.set(datetime(2026, 11, 2, 2, tzinfo=UTC))
        complaint = await client.post("/api/v1/complaints", headers=leader(settings), json={
            "kind": "complaint", "channel": "visit", "subject": "低保户家庭有轿车仍领取低保",
            "content": "反映东风村某户家中有轿车, 仍在领取低保金, 请求核查。",
            "concerns": "household", "category": "eligibility", "program": "dibao",
            "division": TOWNSHIP + "201", "answer_wanted": True})
        assert complaint.status_code == 201, complaint.text
        app.state.kit.clock.set(datetime(2026, 11, 25, 2, tzinfo=UTC))
        village, other_village = TOWNSHIP + "201", OTHER_TOWNSHIP + "201"
        events = [staff(TOWNSHIP, dedicated=True), staff(TOWNSHIP, dedicated=True),
                  staff(OTHER_TOWNSHIP, dedicated=True), staff(OTHER_TOWNSHIP, dedicated=False)]
        leaving = staff(OTHER_TOWNSHIP, dedicated=True)
        events += [leaving, envelope_of(StaffLeft(**{
            k: v for k, v in leaving.data.items() if k not in (
                "id_number", "title", "valid_until")}, valid_until=date(2026, 11, 20)),
            subject=leaving.subject, division=OTHER_TOWNSHIP)]
        on_time, late, extended = new_id(), new_id(), new_id()
        for application_id, due in ((on_time, date(2026, 11, 27)), (late, date(2026, 11, 10)),
                                    (extended, date(2026, 11, 12))):
            events.append(accepted(division=village, application_id=application_id,
                                   accepted_on=date(2026, 11, 2), review_due_on=due))
            events.append(envelope_of(InvestigationCompleted(
                application_id=application_id, investigation_id=new_id(),
                completed_at=datetime(2026, 11, 6, 3, tzinfo=UTC), division=village),
                subject=application_id, division=village))
        events.append(envelope_of(ReviewDeadlineExtended(
            case_id=new_id(), application_id=extended, program="dibao", division=village,
            reason="补充材料", previous_due_on=date(2026, 11, 12),
            review_due_on=date(2026, 11, 26), review_due_provisional=False,
            extended_by="leader-1", extended_at=datetime(2026, 11, 9, 2, tzinfo=UTC)),
            subject=extended, division=village))
        for application_id, day in ((on_time, 20), (late, 18), (extended, 19)):
            event = decided(new_id(), village, date(2026, 11, day))
            event.data["application_id"] = application_id
            events.append(event)
        events.append(accepted(division=other_village, accepted_on=date(2026, 11, 23)))
        await publish(nats_server.url, *events)
        await eventually(lambda: consumer_drained(nats_server.url, "complaints"))

        visit = {"township": TOWNSHIP, "month": "2026-11", "visited_on": "2026-11-24",
                 "supervisors": "王强 县民政局社会救助股股长",
                 "seen": "查阅11月审批档案3份, 入户走访1户",
                 "problems": [{"finding": "1份档案缺少民主评议记录",
                               "responsible": "李明 朝阳镇民政办主任",
                               "due_on": "2026-11-30"}]}
        future = await client.post("/api/v1/supervision/visits", headers=county(settings),
                                   json={**visit, "visited_on": "2026-11-26"})
        assert future.status_code == 422
        recorded = await client.post("/api/v1/supervision/visits", headers=county(settings),
                                     json=visit)
        assert recorded.status_code == 201, recorded.text
        assert len(recorded.json()["item_ids"]) == 1
        again = await client.post("/api/v1/supervision/visits", headers=county(settings),
                                  json=visit)
        assert again.status_code == 409
        # a spot check of November, done in November
        period = {"county": COUNTY, "period_from": "2026-11-01", "period_to": "2026-11-24"}
        draw = (await client.post("/api/v1/spot-checks/draws", headers=county(settings),
                                  json=period)).json()
        checks = (await client.get("/api/v1/spot-checks/checks", headers=county(settings),
                                   params={"draw_id": draw["id"]})).json()
        assert len(checks) == 2  # ceil(3 / 2)
        await client.post(f"/api/v1/spot-checks/checks/{checks[0]['id']}/result",
                          headers=county(settings),
                          json={"method": "file_review", "finding": "收入核算有误",
                                "needs_correction": True, "correction_due_on": "2026-12-20",
                                "responsible": "李明"})
        too_early = await client.post("/api/v1/supervision/reports", headers=county(settings),
                                      json={"county": COUNTY, "month": "2026-11"})
        assert too_early.status_code == 422  # November has not ended

        app.state.kit.clock.set(datetime(2026, 12, 2, 2, tzinfo=UTC))
        sent = await client.post("/api/v1/supervision/reports", headers=county(settings),
                                 json={"county": COUNTY, "month": "2026-11"})
        assert sent.status_code == 201, sent.text
        report = sent.json()
        content = report["content"]
        rows = {t["township"]: t for t in content["townships"]}
        ours, theirs = rows[TOWNSHIP], rows[OTHER_TOWNSHIP]
        assert (ours["dedicated_staff"], ours["staff_short"]) == (2, False)
        assert (theirs["dedicated_staff"], theirs["staff_short"]) == (1, True)
        assert any("fewer than 2" in f for f in theirs["flags"])
        assert (ours["accepted"], ours["investigations_completed"], ours["decided"],
                ours["decided_on_time"], ours["on_time_percent"]) == (3, 3, 3, 2, 66.7)
        assert (ours["overdue_rectification"], ours["supervised"],
                ours["supervision_problems"]) == (1, True, 1)
        assert (ours["spot_checks"], ours["spot_check_findings"]) == (1, 1)
        assert (ours["overdue_complaints"], ours["overdue_answers"]) == (1, 1)
        assert (theirs["overdue_complaints"], theirs["overdue_rectification"]) == (0, 0)
        assert (theirs["accepted"], theirs["supervised"]) == (1, False)
        assert content["townships_short_of_staff"] == 1
        assert content["totals"]["accepted"] == 4
        assert "assist.complaints.supervision_report_sent" in await outbox_types(app.state.kit)
        canonical = json.dumps(content, ensure_ascii=False, sort_keys=True,
                               separators=(",", ":"))
        assert report["sha256"] == hashlib.sha256(canonical.encode()).hexdigest()

        city = bearer(settings, Role.city_officer, [CITY])
        as_city = await client.get(f"/api/v1/supervision/reports/{report['id']}", headers=city)
        assert as_city.json() == report
        page = await client.get(f"/api/v1/supervision/reports/{report['id']}/page",
                                headers=city)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        html = page.text
        for outside in ("http://", "https://", "<script", "<link", "@import", "url(", "src=",
                        "//"):
            assert outside not in html, outside
        assert "@page { size: A4" in html and "社会救助月度督导报告" in html
        assert "未督导" in html and report["sha256"] in html
        stranger = bearer(settings, Role.county_officer, ["230781"])
        assert (await client.get(f"/api/v1/supervision/reports/{report['id']}/page",
                                 headers=stranger)).status_code == 404
        assert (await client.get("/api/v1/supervision/reports", headers=stranger)).json() == []
        resent = await client.post("/api/v1/supervision/reports", headers=county(settings),
                                   json={"county": COUNTY, "month": "2026-11"})
        assert resent.json()["version"] == 2
