"""What an event contract is: one pydantic model per event type and schema version.

A contract names its producer (the service whose module of ``shared.contracts`` defines it, or
any service for the kit's own events), its event name and its schema version. The producer
builds the model and ``emit`` serialises it; the consumer validates the event's ``data`` against
it once and hands the handler the model. Fields that hold personal data are marked with
``Personal`` and travel sealed (``shared.sealing``).

Evolution: adding an optional field keeps the version (consumers ignore fields they don't know);
any other change is a new contract class with ``version`` + 1, and consumers handle both during
the transition (docs/architecture.md).
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

ANY_SERVICE = "*"
"""The producer of the kit's own events: every service emits them under its own name."""

PersonalKind = Literal["id_number", "phone", "bank_account"]


@dataclass(frozen=True)
class Personal:
    """Marks a field as personal data (R-SE-2): sealed in the event, opened by consumers with the
    key. Use as ``Annotated[str, Personal("id_number")]``."""

    kind: PersonalKind

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["x-personal"] = self.kind
        return schema


class EventData(BaseModel):
    """A nested part of an event's data (a member, a material): frozen, unknown fields ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class EventContract(EventData):
    """The data of one event type at one schema version."""

    service: ClassVar[str]
    """The producing service (``ANY_SERVICE`` for the kit's own events)."""
    event: ClassVar[str]
    """The event name: the last part of the type and of the subject."""
    version: ClassVar[int] = 1
    producer_pending: ClassVar[str | None] = None
    """Set while a contract is consumed before its producer is built: the issue that builds it."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "event" in cls.__dict__:
            register(cls)

    @classmethod
    def type_for(cls, service: str) -> str:
        """The CloudEvents type when ``service`` emits it: assist.<service>.<event>."""
        return f"assist.{service}.{cls.event}"

    @classmethod
    def key(cls) -> str:
        """``<service>.<event>`` (``*.<event>`` for the kit's events), without the version."""
        return f"{cls.service}.{cls.event}"

    @classmethod
    def name(cls) -> str:
        """``<service>.<event>`` with ``/v<n>`` after version 1: one name per contract."""
        return cls.key() if cls.version == 1 else f"{cls.key()}/v{cls.version}"


_REGISTRY: dict[tuple[str, str, int], type[EventContract]] = {}


def register(contract: type[EventContract]) -> None:
    """Called for every contract class; one class per (service, event, version)."""
    if not getattr(contract, "service", None):
        raise TypeError(f"{contract.__name__} names no producing service")
    shadowed = sorted({"service", "event", "version", "producer_pending"}
                      & set(contract.model_fields))
    if shadowed:  # a field of that name would hide the contract's own name or version
        raise TypeError(f"{contract.__name__}: fields {shadowed} shadow the contract's own; "
                        "name them after what they are (opinion_version, say)")
    key = (contract.service, contract.event, contract.version)
    known = _REGISTRY.get(key)
    if known is not None and known.__qualname__ != contract.__qualname__:
        raise TypeError(f"{contract.__name__}: {contract.name()} is already {known.__name__}")
    _REGISTRY[key] = contract


def contract_for(service: str, event: str, version: int) -> type[EventContract] | None:
    """The contract of an event as it arrives: by its producer, else the kit's own events."""
    return _REGISTRY.get((service, event, version)) or _REGISTRY.get((ANY_SERVICE, event, version))


def all_contracts() -> list[type[EventContract]]:
    """Every contract of ``shared.contracts``, by producer, event and version (contracts that
    tests define for themselves are registered, but not listed)."""
    import shared.contracts  # noqa: F401 - every producer's module registers its contracts

    return [_REGISTRY[k] for k in sorted(_REGISTRY)
            if _REGISTRY[k].__module__.startswith("shared.contracts.")]


def personal_paths(model: type[BaseModel]) -> list[tuple[tuple[str, ...], PersonalKind]]:
    """Where a model holds personal data: paths of field names, ``[]`` standing for list items.

    ``members[].id_number`` is ``(("members", "[]", "id_number"), "id_number")``.
    """
    found: list[tuple[tuple[str, ...], PersonalKind]] = []
    for name, field in model.model_fields.items():
        for marker in field.metadata:
            if isinstance(marker, Personal):
                found.append(((name,), marker.kind))
        for prefix, nested in _nested_models(field.annotation):
            found.extend(((name, *prefix, *path), kind) for path, kind in personal_paths(nested))
    return found


def _nested_models(annotation: Any) -> Iterator[tuple[tuple[str, ...], type[BaseModel]]]:
    """Models inside an annotation: ``X``, ``X | None``, ``list[X]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield (), annotation
        return
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        for arg in get_args(annotation):
            for prefix, nested in _nested_models(arg):
                yield ("[]", *prefix), nested
    elif origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            yield from _nested_models(arg)
    elif origin is Annotated:
        yield from _nested_models(get_args(annotation)[0])
