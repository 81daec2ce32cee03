"""The event contracts, the docs generated from them, and who produces what is consumed."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import types
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel

from shared.contracts import ANY_SERVICE, EventContract, all_contracts, personal_paths
from shared.contracts.intake import ApplicationAccepted
from shared.settings import SERVICE_NAMES
from tools import eventdocs

ROOT = eventdocs.ROOT
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
COMPONENT_KEY = re.compile(r"^[\w.\-]+$")


@cache
def specs() -> dict[str, Any]:
    return eventdocs.load_specs()


@cache
def generated() -> dict[str, str]:
    return eventdocs.generate()


def consumers_of(contract: type[EventContract]) -> list[str]:
    """The services whose SPEC takes the contract: by a handler key, or every event."""
    return [name for name, spec in specs().items()
            if contract in spec.handlers or spec.every_event is not None]


def producer_folder(contract: type[EventContract]) -> Path:
    return ROOT / ("shared" if contract.service == ANY_SERVICE else f"services/{contract.service}")


@cache
def constructions(folder: Path) -> dict[str, list[str]]:
    """Class name → ``path:line`` of each call ``Name(...)`` or ``module.Name(...)`` in folder."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (func.id if isinstance(func, ast.Name)
                    else func.attr if isinstance(func, ast.Attribute) else None)
            if name is not None:
                found.setdefault(name, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


# --- the generated docs -----------------------------------------------------------------------


def test_event_docs_are_not_stale() -> None:
    behind = eventdocs.stale(ROOT, generated())
    assert not behind, (
        f"{', '.join(behind)} differ from what the contracts and the services' SPEC generate: "
        "run `make docs` (python -m tools.eventdocs) and commit the result")


def test_the_docs_are_deterministic() -> None:
    assert eventdocs.generate() == generated()


def test_check_fails_naming_the_stale_file(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert eventdocs.main(["--root", str(tmp_path)]) == 0
    assert eventdocs.main(["--check", "--root", str(tmp_path)]) == 0

    asyncapi = tmp_path / eventdocs.ASYNCAPI
    asyncapi.write_text(asyncapi.read_text(encoding="utf-8").replace("3.0.0", "2.6.0", 1),
                        encoding="utf-8")
    capsys.readouterr()
    assert eventdocs.main(["--check", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert eventdocs.ASYNCAPI in err and eventdocs.EVENTS_MD not in err
    assert "make docs" in err


def test_check_fails_when_a_contract_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert eventdocs.main(["--root", str(tmp_path)]) == 0
    monkeypatch.setattr(ApplicationAccepted, "__doc__", "Accepted, said differently.")
    capsys.readouterr()
    assert eventdocs.main(["--check", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert eventdocs.EVENTS_MD in err and eventdocs.ASYNCAPI in err


def test_the_command_exits_1_on_a_stale_file(tmp_path: Path) -> None:
    for path, text in generated().items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text + "\nedited by hand\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "tools.eventdocs", "--check", "--root",
                          str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1, run.stderr
    assert eventdocs.EVENTS_MD in run.stderr and eventdocs.ASYNCAPI in run.stderr


def test_events_md_says_what_each_contract_is() -> None:
    text = generated()[eventdocs.EVENTS_MD]
    for contract in all_contracts():
        assert f"### `{contract.name()}`" in text
        assert eventdocs.docstring(contract).splitlines()[0] in text
        if contract.producer_pending:
            assert f"not emitted yet — {contract.producer_pending}" in text
    assert "## Personal data in events" in text and "## Evolution" in text
    assert "| `intake.application_accepted` | `members[].id_number` | id_number |" in text
    assert "| `members[].id_number` | string, 18 chars | required |" in text


# --- docs/asyncapi.yaml -----------------------------------------------------------------------


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def resolve(document: Mapping[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve (at {part!r})"
        node = node[part]
    return node


def test_asyncapi_has_the_shape_of_asyncapi_3() -> None:
    document = yaml.safe_load(generated()[eventdocs.ASYNCAPI])
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"] and document["info"]["version"]
    assert document["servers"]["embedded"] == {
        "host": "127.0.0.1:4223", "protocol": "nats",
        "description": document["servers"]["embedded"]["description"]}
    for section in ("channels", "operations"):
        assert all(COMPONENT_KEY.match(key) for key in document[section]), section
    for section in ("schemas", "messages", "parameters"):
        assert all(COMPONENT_KEY.match(key) for key in document["components"][section]), section
    for ref in refs(document):
        resolve(document, ref)
    for channel_id, channel in document["channels"].items():
        named = set(re.findall(r"\{(\w+)\}", channel["address"]))
        assert named == set(channel.get("parameters", {})), channel_id
        assert channel["address"].startswith("assist.{county}.")
    for operation_id, operation in document["operations"].items():
        assert operation["action"] in ("send", "receive"), operation_id
        channel_ref = operation["channel"]["$ref"]
        for message in operation["messages"]:
            assert message["$ref"].startswith(f"{channel_ref}/messages/"), operation_id


def test_asyncapi_has_a_channel_a_sender_and_the_receivers_of_every_contract() -> None:
    document = yaml.safe_load(generated()[eventdocs.ASYNCAPI])
    schemas = document["components"]["schemas"]
    assert "Envelope" in schemas and "EventActor" in schemas
    for contract in all_contracts():
        channel_id = eventdocs.channel_id(contract)
        service = "{service}" if contract.service == ANY_SERVICE else contract.service
        assert document["channels"][channel_id]["address"] == (
            f"assist.{{county}}.{service}.{contract.event}")
        send = document["operations"][f"{channel_id}.send"]
        assert send.get("x-producer-pending") == contract.producer_pending
        receivers = {op["x-consumer"] for op in document["operations"].values()
                     if op["action"] == "receive" and op["channel"]["$ref"].endswith(
                         f"/{channel_id}")}
        assert receivers == set(consumers_of(contract))
        message = document["components"]["messages"][channel_id]
        data = message["payload"]["allOf"][1]["properties"]["data"]
        assert data == {"$ref": f"#/components/schemas/{contract.__name__}"}
        assert message["payload"]["allOf"][1]["properties"]["schemaversion"] == {
            "const": contract.version}


# --- consumers and producers ------------------------------------------------------------------


def test_every_handler_key_is_an_event_contract_class() -> None:
    assert set(specs()) == set(SERVICE_NAMES)
    for name, spec in specs().items():
        for key in spec.handlers:
            assert isinstance(key, type) and issubclass(key, EventContract), (
                f"services/{name}/app.py: handler key {key!r} is not an event contract class; "
                "key handlers by the contract of shared.contracts they take")
            assert key in all_contracts(), f"{name}: {key.__name__} is not a registered contract"


def test_a_consumed_event_has_a_producer() -> None:
    problems = []
    for contract in all_contracts():
        consumers = consumers_of(contract)
        if not consumers or contract.producer_pending:
            continue
        folder = producer_folder(contract).relative_to(ROOT)
        if contract.__name__ not in constructions(producer_folder(contract)):
            problems.append(
                f"{contract.name()} is consumed by {', '.join(consumers)}, but nothing in {folder}/"
                f" constructs {contract.__name__}(...): emit it there, or mark the contract with "
                f"producer_pending = \"issue N (what builds it)\" until its producer is built "
                "(and run `make docs`)")
    assert not problems, "\n".join(problems)


def test_a_producer_pending_mark_is_not_stale() -> None:
    problems = []
    for contract in all_contracts():
        if not contract.producer_pending:
            continue
        sites = constructions(producer_folder(contract)).get(contract.__name__)
        if sites:
            problems.append(
                f"{contract.name()} is marked producer_pending = {contract.producer_pending!r}, "
                f"but {', '.join(sites)} constructs it: the producer exists, remove the mark from "
                f"{contract.__module__}.{contract.__qualname__} and run `make docs`")
    assert not problems, "\n".join(problems)


# --- the shape of a contract ------------------------------------------------------------------


def contract_classes() -> list[type[EventContract]]:
    """Every class of shared.contracts that defines an event, whether registered or not."""
    found: list[type[EventContract]] = []
    todo = list(EventContract.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if "event" in cls.__dict__ and cls.__module__.startswith("shared.contracts."):
            found.append(cls)
    return found


def test_every_contract_has_a_docstring() -> None:
    missing = [c.name() for c in all_contracts() if not eventdocs.docstring(c)]
    assert not missing, f"say what these events mean in their class docstring: {missing}"


def test_event_names_are_snake_case_and_versions_start_at_1() -> None:
    for contract in all_contracts():
        assert SNAKE_CASE.match(contract.event), f"{contract.name()}: event names are snake_case"
        assert isinstance(contract.version, int) and contract.version >= 1, contract.name()


def test_a_contract_lives_in_its_producers_module() -> None:
    for contract in all_contracts():
        module = "kit" if contract.service == ANY_SERVICE else contract.service
        assert contract.service in (*SERVICE_NAMES, ANY_SERVICE), contract.name()
        assert contract.__module__ == f"shared.contracts.{module}", (
            f"{contract.__name__} is produced by {contract.service}: define it in "
            f"shared/contracts/{module}.py")


def test_service_event_and_version_name_one_contract() -> None:
    classes = contract_classes()
    keys = [(c.service, c.event, c.version) for c in classes]
    duplicates = {k for k in keys if keys.count(k) > 1}
    assert not duplicates, f"two contract classes for {duplicates}: raise the version of one"
    assert set(classes) == set(all_contracts())
    names = [c.__name__ for c in classes]
    assert len(names) == len(set(names)), "contract class names name their schemas: keep unique"


def _leaf_annotation(model: type[BaseModel], path: tuple[str, ...]) -> Any:
    annotation: Any = model
    for part in path:
        annotation = _unwrap(annotation)
        if part == "[]":
            annotation = get_args(annotation)[0]
        else:
            assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
            annotation = annotation.model_fields[part].annotation
    return annotation


def _unwrap(annotation: Any) -> Any:
    """``X | None`` → ``X``."""
    if get_origin(annotation) in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        if len(options) == 1:
            return options[0]
    return annotation


def test_personal_data_is_a_string_field() -> None:
    for contract in all_contracts():
        for path, kind in personal_paths(contract):
            leaf = _leaf_annotation(contract, path)
            assert _unwrap(leaf) is str, (
                f"{contract.name()}: {'.'.join(path)} is marked Personal({kind!r}) but is "
                f"{leaf!r}: only string fields can be sealed")
