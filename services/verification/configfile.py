"""Structured settings of verification given as JSON, inline or in a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class ConfigError(ValueError):
    """A setting cannot be used; the message names it and says why (the service won't start)."""


def read_json_setting(value: str | None, setting: str, model: type[M]) -> M | None:
    """``value`` as ``model``: JSON text (starting with ``{``) or the path of a JSON file."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    where = f"ASSIST_{setting.upper()}"
    if not text.startswith("{"):
        path = Path(text).expanduser()
        where = f"{where} ({path})"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{where}: cannot read the file: {exc.strerror}") from None
    try:
        data: Any = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{where}: not JSON ({exc})") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        at = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{where}: {at}: {first['msg']}") from None
