"""Which check sources an installation has: ``ASSIST_CHECK_SOURCES`` (R-VE-4).

JSON (inline, or the path of a file) naming each source::

    {
      "tax":         {"kind": "http", "title": "县税务局", "items": ["tax"],
                      "url": "https://tax.example.gov.cn/assist/check",
                      "token_file": "/run/secrets/tax-token", "timeout_s": 5, "retries": 2},
      "real_estate": {"kind": "csv", "title": "不动产登记中心", "items": ["real_estate"]}
    }

``csv``: a department's data file, loaded by a county officer through the API. ``http``: another
government system; credentials as ``token`` or ``token_file`` (a bearer token, the file read on
each call so it can be renewed), or ``username`` and ``password`` (basic), and extra ``headers``.
Without the setting, each item of the rule book's list has a data-file source of its own name.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from services.verification.checks.sources import (
    ITEMS,
    MANUAL,
    CheckSource,
    DataFileSource,
    DatasetStore,
    HttpSource,
)
from services.verification.configfile import read_json_setting
from shared.settings import Settings

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,49}$")]


class SourceConfig(BaseModel):
    """One check source as configured."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["csv", "http"]
    title: str | None = Field(None, max_length=100, description="the department, for people")
    items: tuple[Name, ...] = Field(min_length=1)
    url: str | None = Field(None, pattern=r"^https?://", description="http: where to ask")
    token: str | None = None
    token_file: str | None = None
    username: str | None = None
    password: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    timeout_s: float = Field(5.0, gt=0, le=120)
    retries: int = Field(2, ge=0, le=10)
    backoff_s: float = Field(0.5, ge=0, le=60)

    @model_validator(mode="after")
    def _complete(self) -> SourceConfig:
        if len(set(self.items)) != len(self.items):
            raise ValueError("an item is listed twice")
        if self.kind == "http" and not self.url:
            raise ValueError("an http source needs its url")
        if self.kind == "csv" and self.url:
            raise ValueError("a csv source has no url: its data file is loaded through the API")
        if (self.username is None) != (self.password is None):
            raise ValueError("basic credentials need both username and password")
        return self

    def public(self) -> dict[str, object]:
        """What the API shows of it: never the credentials."""
        return {"kind": self.kind, "title": self.title, "items": list(self.items),
                "url": self.url}


class SourcesConfig(RootModel[dict[Name, SourceConfig]]):
    @model_validator(mode="after")
    def _not_manual(self) -> SourcesConfig:
        if MANUAL in self.root:
            raise ValueError(f"{MANUAL!r} names the caseworkers' own checks, not a source")
        return self


DEFAULT = {item: SourceConfig(kind="csv", title=title, items=(item,))
           for item, title in ITEMS.items()}


@lru_cache(maxsize=8)
def _parsed(value: str | None) -> dict[str, SourceConfig]:
    config = read_json_setting(value, "check_sources", SourcesConfig)
    return dict(sorted(config.root.items())) if config is not None else DEFAULT


def configured_sources(settings: Settings) -> dict[str, SourceConfig]:
    """The installation's sources by name (ConfigError if the setting is unusable)."""
    return _parsed(settings.check_sources)


def build_source(name: str, config: SourceConfig, store: DatasetStore) -> CheckSource:
    if config.kind == "csv":
        return DataFileSource(name=name, items=config.items, store=store)
    assert config.url is not None
    headers = dict(config.headers)
    if config.token:
        headers["Authorization"] = f"Bearer {config.token}"
    auth = (config.username, config.password) if config.username and config.password else None
    return HttpSource(name=name, items=config.items, url=config.url, headers=headers, auth=auth,
                      timeout_s=config.timeout_s, retries=config.retries,
                      backoff_s=config.backoff_s, token_file=config.token_file)
