"""Settings: defaults, then [tool.asyncguard] in pyproject.toml, then CLI flags or editor settings.

Every bad key or value becomes a ConfigError whose message names it, in one line.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .engine.rules import ALL_SEVERITIES, CATEGORIES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SCOPES = ("all", "routes")
SEVERITY_VALUES = (*ALL_SEVERITIES, "off")


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class ExtraBlocking:
    pattern: str
    reason: str | None = None


@dataclass(frozen=True)
class Config:
    scope: str = "all"
    max_depth: int = 8
    follow_libraries: bool = False
    cpu_heavy: bool = False
    extra_blocking: tuple[ExtraBlocking, ...] = ()
    allow: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)  # category -> severity or 'off'
    python: str | None = None
    min_severity: str = "hint"

    def merged(self, overrides: dict[str, Any]) -> Config:
        """A copy with validated overrides (snake_case keys) applied."""
        return replace(self, **overrides)


# key in pyproject / editor settings -> (field name, validator)
def _str_choice(choices: tuple[str, ...]):  # type: ignore[no-untyped-def]
    def check(key: str, value: Any) -> str:
        if not isinstance(value, str) or value not in choices:
            raise ConfigError(f"{key} must be one of {', '.join(repr(c) for c in choices)}, not {value!r}")
        return value

    return check


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{key} must be true or false, not {value!r}")
    return value


def _depth(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
        raise ConfigError(f"{key} must be a whole number from 1 to 64, not {value!r}")
    return value


def _str_list(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{key} must be a list of non-empty strings")
    return tuple(value)


def _optional_str(key: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be a string, not {value!r}")
    return value


def _extra(key: str, value: Any) -> tuple[ExtraBlocking, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{key} must be a list of patterns or {{pattern, reason}} tables")
    items: list[ExtraBlocking] = []
    for number, item in enumerate(value, start=1):
        if isinstance(item, str) and item:
            items.append(ExtraBlocking(item))
        elif isinstance(item, dict):
            unknown = set(item) - {"pattern", "reason"}
            if unknown:
                raise ConfigError(f"{key}[{number}]: unknown key {sorted(unknown)[0]!r}")
            pattern = item.get("pattern")
            reason = item.get("reason")
            if not isinstance(pattern, str) or not pattern:
                raise ConfigError(f"{key}[{number}].pattern must be a non-empty string")
            if reason is not None and not isinstance(reason, str):
                raise ConfigError(f"{key}[{number}].reason must be a string")
            items.append(ExtraBlocking(pattern, reason))
        else:
            raise ConfigError(f"{key}[{number}] must be a pattern string or a {{pattern, reason}} table")
    return tuple(items)


def _severity_table(key: str, value: Any) -> dict[str, str]:
    if isinstance(value, str):
        # One severity for every category.
        _str_choice(SEVERITY_VALUES)(key, value)
        return dict.fromkeys(CATEGORIES, value)
    if not isinstance(value, dict):
        raise ConfigError(f"{key} must be a table of category = severity")
    result: dict[str, str] = {}
    for category, severity in value.items():
        if category not in CATEGORIES:
            raise ConfigError(f"{key}.{category}: unknown category (known: {', '.join(CATEGORIES)})")
        result[category] = _str_choice(SEVERITY_VALUES)(f"{key}.{category}", severity)
    return result


_PYPROJECT_KEYS = {
    "scope": ("scope", _str_choice(SCOPES)),
    "max-depth": ("max_depth", _depth),
    "follow-libraries": ("follow_libraries", _bool),
    "cpu-heavy": ("cpu_heavy", _bool),
    "extra-blocking": ("extra_blocking", _extra),
    "allow": ("allow", _str_list),
    "exclude": ("exclude", _str_list),
    "severity": ("severity", _severity_table),
    "python": ("python", _optional_str),
    "min-severity": ("min_severity", _str_choice(ALL_SEVERITIES)),
}

# Editor settings use camelCase names.
_SETTINGS_KEYS = {
    "scope": "scope",
    "maxDepth": "max-depth",
    "followLibraries": "follow-libraries",
    "cpuHeavy": "cpu-heavy",
    "extraBlockingCalls": "extra-blocking",
    "allow": "allow",
    "exclude": "exclude",
    "severity": "severity",
    "python": "python",
}


def parse_table(table: dict[str, Any], where: str) -> dict[str, Any]:
    """Validate a [tool.asyncguard]-style table; returns Config field overrides."""
    overrides: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _PYPROJECT_KEYS:
            known = ", ".join(sorted(_PYPROJECT_KEYS))
            raise ConfigError(f"{where}: unknown key {key!r} (known: {known})")
        name, check = _PYPROJECT_KEYS[key]
        overrides[name] = check(f"{where}: {key}", value)
    return overrides


def parse_settings(settings: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Editor settings -> (Config overrides, one error per bad setting). Bad values are dropped."""
    overrides: dict[str, Any] = {}
    errors: list[str] = []
    for key, value in settings.items():
        pyproject_key = _SETTINGS_KEYS.get(key)
        if pyproject_key is None or value is None:
            continue
        if key == "severity" and value == "":
            continue
        name, check = _PYPROJECT_KEYS[pyproject_key]
        try:
            overrides[name] = check(f"asyncguard.{key}", value)
        except ConfigError as exc:
            errors.append(str(exc))
    return overrides, errors


def find_pyproject(start: Path) -> Path | None:
    directory = start if start.is_dir() else start.parent
    for candidate in (directory, *directory.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            return path
    return None


def load_pyproject(path: Path) -> dict[str, Any]:
    """Config overrides from a pyproject.toml's [tool.asyncguard] table."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path.name}: cannot read: {exc}") from None
    tool = data.get("tool", {})
    table = tool.get("asyncguard", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path.name}: [tool.asyncguard] must be a table")
    return parse_table(table, f"{path.name} [tool.asyncguard]")
