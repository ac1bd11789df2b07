"""Fault scenarios: named sets of fault rules in YAML (fixtures/faults/*.yaml, or any file)."""
from __future__ import annotations

from pathlib import Path

import yaml
from flask import Flask
from marshmallow import ValidationError

from ..domain.errors import ApiError, NotFound
from ..domain.fixtures import SAFE_LOADER, default_dir
from .faults import get_faults, operation_names
from .schemas.faults import FaultRule, Scenario
from .schemas.stubs import StubRule
from .stubs import get_stubs


class InvalidScenario(ApiError):
    """A scenario file that cannot be read."""
    code, title = "invalid_scenario", "Invalid fault scenario"


def folders(fixtures_dir: str | None = None) -> list[Path]:
    """Where scenarios are looked up by name: <fixtures>/faults, then the bundled ones."""
    found = [Path(fixtures_dir) / "faults"] if fixtures_dir else []
    return [*found, default_dir() / "faults"]


def available(fixtures_dir: str | None = None) -> dict[str, Path]:
    """Every scenario name with its file (a custom fixtures folder wins over the bundled one)."""
    names: dict[str, Path] = {}
    for folder in reversed(folders(fixtures_dir)):
        for file in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
            names[file.stem] = file
    return dict(sorted(names.items()))


def rules(scenario: dict, operations=None) -> tuple[list[dict], list[dict]]:
    """Validate a scenario's body and answer its (fault rules, stubs); errors point at /faults/N/field.

    `operations`: the names match.operation may use (see faults.operation_names).
    """
    loaded = Scenario().load(scenario)
    if not loaded["faults"] and not loaded["stubs"]:
        raise ValidationError({"faults": ["a scenario needs at least one rule under faults or stubs"]})
    errors, checked = {}, {}
    for key, schema in (("faults", FaultRule(operations=operations)), ("stubs", StubRule(operations=operations))):
        checked[key] = []
        for index, raw in enumerate(loaded[key]):
            try:
                checked[key].append(schema.rule(raw))
            except ValidationError as exc:
                errors.setdefault(key, {})[index] = exc.messages
    if errors:
        raise ValidationError(errors)
    return checked["faults"], checked["stubs"]


def read(name_or_file: str, fixtures_dir: str | None = None) -> dict:
    """A scenario by name (see folders()) or by path, as {name, description, faults}."""
    path = Path(name_or_file)
    if not (path.suffix in (".yaml", ".yml") and path.is_file()):
        if path.suffix in (".yaml", ".yml") or "/" in name_or_file:
            raise NotFound(f"no such file: {name_or_file} (a YAML file, or a scenario name such as chat-outage)",
                           parameter="name")
        path = available(fixtures_dir).get(name_or_file)
        if path is None:
            known = ", ".join(available(fixtures_dir)) or "none"
            raise NotFound(f"no fault scenario {name_or_file!r}; known: {known}", parameter="name")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidScenario(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidScenario(f"{path}: the top level must be a mapping with a 'faults' (or 'stubs') list")
    data.setdefault("name", path.stem)
    return data


def describe(fixtures_dir: str | None = None) -> list[dict]:
    """Every available scenario: name, description, number of rules."""
    described = []
    for name in available(fixtures_dir):
        data = read(name, fixtures_dir)
        described.append({"name": name, "description": data.get("description", ""),
                          "faults": len(data.get("faults") or []), "stubs": len(data.get("stubs") or [])})
    return described


def load_boot(app: Flask) -> None:
    """Add the --faults scenario's rules; called once the routes exist, so match.operation is checked.

    Processes sharing rules (the redis store) each boot with it: the rules are added once, by the first,
    and again only after a clear (FaultSet.add's `boot`).
    """
    if not app.config.get("FAULTS"):
        return
    faults, name, fixtures_dir = get_faults(app), app.config["FAULTS"], app.config.get("FIXTURES")
    try:
        found, stubbed = rules(read(name, fixtures_dir), operation_names(app))
        faults.add(found, boot=name, scenario=name)
        get_stubs(app).add(stubbed, boot=name, scenario=name)
    except ValidationError as error:
        raise InvalidScenario(f"fault scenario {name}: {error.messages}") from None
