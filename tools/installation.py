"""The settings an operator tool finds the installation by."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared.settings import Settings


def installation_settings(service: str, data_dir: Path | None = None,
                          county: str | None = None) -> Settings:
    """The settings a tool finds the installation by: ASSIST_* from the environment, then its
    command line's ``--data-dir`` and ``--county`` where given."""
    values: dict[str, Any] = {"service": service}
    if data_dir is not None:
        values["data_dir"] = data_dir
    if county is not None:
        values["county"] = county
    return Settings(**values)
