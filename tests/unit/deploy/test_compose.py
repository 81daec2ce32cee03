"""deploy/: the compose file of one county keeps every service's data folder on a volume.

A service's data folder holds what its database does not: verification's evidence files, the
audit log's signing key, its retired keys and its checkpoint file (R-AU-2). In a container that
folder is the container's own and goes with it, and ``docker compose up`` recreates a
container for every new image: without a volume, the first upgrade loses the evidence and
changes the log's key, and every checkpoint signed before reads as forged.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("intake", "verification", "approval", "disbursement", "complaints", "audit")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def image_data_dir() -> str:
    """ASSIST_DATA_DIR as deploy/Dockerfile sets it."""
    found = re.search(r"ASSIST_DATA_DIR=(\S+)", (ROOT / "deploy/Dockerfile").read_text())
    assert found, "deploy/Dockerfile sets no ASSIST_DATA_DIR"
    return found.group(1)


def test_every_service_keeps_its_data_folder_on_a_volume_of_its_own_r_au_2() -> None:
    """R-AU-2: each service mounts a named volume, its own, at the image's data folder; the
    calendar volume is mounted by every one; every volume is declared."""
    spec = compose()
    data_dir = image_data_dir()
    declared = set(spec["volumes"])
    seen: dict[str, str] = {}
    for name in SERVICES:
        service = spec["services"][name]
        assert service["command"] == [name]
        data_dir_here = service.get("environment", {}).get("ASSIST_DATA_DIR", data_dir)
        mounts = dict(reversed(v.split(":")[:2]) for v in service["volumes"])
        volume = mounts.get(data_dir_here)
        assert volume in declared, f"{name}: no named volume at {data_dir_here}"
        assert volume not in seen, f"{name} shares {volume} with {seen.get(volume)}"
        seen[volume] = name
        assert mounts.get(f"{data_dir}/calendar") == "calendar", name
