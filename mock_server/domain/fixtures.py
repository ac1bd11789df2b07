"""Fixtures: the YAML files that define what a fresh org holds."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml's, when PyYAML was built with it

BUNDLED = Path(__file__).resolve().parent.parent / "fixtures"
ALL_ROLES = ("org.admin", "org.tracking")


class FixtureError(ValueError):
    """Fixtures that cannot be loaded; the message names the file and the fault."""


def default_dir() -> Path:
    """The fixtures shipped inside the package (the repository's fixtures/ links to them)."""
    return BUNDLED


def _deep_merge(base: dict, override: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _read(file: Path) -> dict:
    """One fixture file's mapping; FixtureError in one line (file, line, problem) if it is not one."""
    try:
        loaded = yaml.load(file.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}, line {mark.line + 1}" if mark else str(file)
        raise FixtureError(f"{where}: {getattr(exc, 'problem', None) or 'not valid YAML'}") from exc
    if not isinstance(loaded, dict):
        raise FixtureError(f"{file}: the top level must be a mapping")
    return loaded


@dataclass
class OrgSpec:
    """What one org is made of: its name, the data dict, and the roles of each key."""

    name: str
    data: dict
    roles: dict[str, tuple] = field(default_factory=dict)


OWN_ORG_SUFFIX = " (own org)"   # the name of an unlisted key's org when the key is a fixture org's name


class Fixtures:
    """Every fixture file of a folder, merged, with lookups by API key."""

    def __init__(self, data: dict, source: str = "<dict>"):
        self.source = source
        self.data = data
        self._shared = {k: v for k, v in data.items() if k not in ("default", "orgs")}
        self._key_to_org: dict[str, dict] = {}
        for org in data.get("orgs") or []:
            for entry in org.get("keys", []):
                self._key_to_org[entry["key"]] = org
        self._fixture_orgs = {org["name"] for org in self._key_to_org.values()}

    @classmethod
    def load(cls, folder: str | Path | None = None) -> "Fixtures":
        """The bundled *.yaml files, each replaced by the folder's file of the same name; the folder's others added."""
        path = Path(folder) if folder else default_dir()
        if not path.is_dir():
            raise FixtureError(f"fixtures folder not found: {path}")
        own = sorted(path.glob("*.yaml"))
        # file by file, so a mounted folder may hold just org.yaml; its files load last, so they win
        bundled = [f for f in sorted(default_dir().glob("*.yaml")) if f.name not in {o.name for o in own}]
        data: dict = {}
        for file in (bundled if path.resolve() != default_dir().resolve() else []) + own:
            data.update(_read(file))
        if "default" not in data:
            raise FixtureError(f"{path}: no 'default' org in any fixture file")
        return cls(data, str(path))

    def org_name(self, key: str) -> str:
        """The org a key belongs to: named in the fixtures, or an org of its own."""
        org = self._key_to_org.get(key)
        if org:
            return org["name"]
        # an unlisted key named like a fixture org gets an org of its own, never that org's slot
        return f"{key}{OWN_ORG_SUFFIX}" if key in self._fixture_orgs else key

    def spec(self, key: str) -> OrgSpec:
        """The full definition of the org that `key` belongs to."""
        org = self._key_to_org.get(key)
        base = _deep_merge(self._shared, self.data["default"])
        if org is None:
            return OrgSpec(name=self.org_name(key), data=base, roles={key: ALL_ROLES})
        data = _deep_merge(base, {k: v for k, v in org.items() if k not in ("name", "keys")})
        roles = {e["key"]: tuple(e.get("roles") or ALL_ROLES) for e in org["keys"]}
        return OrgSpec(name=org["name"], data=data, roles=roles)
