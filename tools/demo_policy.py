"""Demo policy parameters (演示数据): ``shared.benefits.DEMO``, urban and rural, published for the
installation's county through the approval API by its demo county officer, marked as demo values.

DEMO VALUES, NOT OFFICIAL ONES (DOMAIN.md, Demo data): figures of the order of urban 750 / rural
560 yuan per person per month and a minimum wage of 1,750 yuan.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from shared.auth import Role
from shared.benefits.parameters import DEMO, Parameters
from shared.settings import Settings
from tools.demo import demo_token, find_demo_user

POLICY_MARKER_FILE = "demo-policy-loaded.json"
DEMO_POLICY_SINCE = date(2020, 1, 1)
"""The day the demo figures are in force from (a demo value): each is its county and area's
first version, which may begin before the day it is published."""
DEMO_REASON = "演示数据，非官方标准 (demo values, not official ones)"


def demo_figures(parameters: Parameters) -> dict[str, Any]:
    """The figures as the API takes them: Decimals as strings, tuples as lists."""
    figures: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(parameters), default=str))
    return figures


def demo_versions(county: str) -> list[dict[str, Any]]:
    """The bodies of ``POST /api/v1/policy/versions`` for the county, urban and rural."""
    return [{"county": county, "area": area, "effective_from": DEMO_POLICY_SINCE.isoformat(),
             "reason": DEMO_REASON, "demo": True, "parameters": demo_figures(DEMO[area])}
            for area in ("urban", "rural")]


def load_demo_policy(approval_url: str, settings: Settings, *,
                     say: Callable[[str], None] = print, timeout_s: float = 15.0) -> str:
    """Publish the demo parameters once per data folder, and only for a county with no
    version yet; what happened, in words. Errors are reported, never raised."""
    marker = Path(settings.data_dir) / POLICY_MARKER_FILE
    if marker.exists():
        return f"already loaded ({marker})"
    user = find_demo_user(Role.county_officer, county=settings.county)
    if user.division != settings.county:
        return f"no demo county officer of county {settings.county}"
    headers = {"Authorization": f"Bearer {demo_token(settings, user, ttl_s=600)}"}
    published = []
    try:
        with httpx.Client(base_url=approval_url, timeout=timeout_s) as client:
            present = client.get("/api/v1/policy/versions",
                                 params={"county": settings.county, "limit": 1}, headers=headers)
            present.raise_for_status()
            if present.json():
                return "not loaded: the county has policy versions already"
            for body in demo_versions(settings.county):
                answer = client.post("/api/v1/policy/versions", json=body, headers=headers | {
                    "Idempotency-Key": f"demo-policy-{body['area']}-{uuid.uuid4()}"})
                if answer.status_code != 201:
                    raise RuntimeError(f"approval answered {answer.status_code}: "
                                       f"{answer.text[:400]}")
                published.append(answer.json())
    except (httpx.HTTPError, RuntimeError) as exc:
        say(f"  demo policy parameters: {exc}")
        return f"not loaded: {exc}"
    marker.write_text(json.dumps(published, ensure_ascii=False, indent=2) + "\n")
    return (f"county {settings.county}, in force from {DEMO_POLICY_SINCE} (demo values): "
            + ", ".join(f"{v['area']} {v['parameters']['dibao_standard_fen'] // 100} yuan"
                        for v in published))
