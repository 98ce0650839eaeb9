"""Editor settings (section 'asyncguard'): analysis settings for the engine, plus the few that
only concern the server itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import parse_settings

LOG_LEVELS = ("error", "warning", "info", "debug")


@dataclass
class ServerSettings:
    enable: bool = True
    log_level: str = "warning"
    show_notifications: str = "onWarning"  # off, onError, onWarning, always
    trusted: bool = True
    debounce_ms: int = 20
    engine: dict[str, Any] = field(default_factory=dict)  # Config overrides
    errors: list[str] = field(default_factory=list)


def _flatten(settings: dict[str, Any]) -> dict[str, Any]:
    # Clients send either {"asyncguard": {...}} or the section itself.
    inner = settings.get("asyncguard")
    return inner if isinstance(inner, dict) else settings


def read_settings(*sources: Any) -> ServerSettings:
    """Merge settings sources, later ones winning; bad values are reported and dropped."""
    merged: dict[str, Any] = {}
    for source in sources:
        if isinstance(source, dict):
            merged.update({k: v for k, v in _flatten(source).items() if v is not None})
    result = ServerSettings()
    overrides, errors = parse_settings(merged)
    result.engine = overrides
    result.errors = errors
    if "enable" in merged:
        if isinstance(merged["enable"], bool):
            result.enable = merged["enable"]
        else:
            result.errors.append(f"asyncguard.enable must be true or false, not {merged['enable']!r}")
    level = merged.get("logLevel")
    if level is not None:
        if level in LOG_LEVELS:
            result.log_level = level
        else:
            result.errors.append(f"asyncguard.logLevel must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    notifications = merged.get("showNotifications")
    if notifications is not None:
        if notifications in ("off", "onError", "onWarning", "always"):
            result.show_notifications = notifications
        else:
            result.errors.append(f"asyncguard.showNotifications has an unknown value {notifications!r}")
    if merged.get("trusted") is False or merged.get("workspaceTrusted") is False:
        result.trusted = False
    debounce = merged.get("debounceMs")
    if debounce is not None:
        if isinstance(debounce, int) and not isinstance(debounce, bool) and 0 <= debounce <= 5000:
            result.debounce_ms = debounce
        else:
            result.errors.append(
                f"asyncguard.debounceMs must be a whole number from 0 to 5000, not {debounce!r}"
            )
    return result
