"""The on-disk cache under the project: what each module's calls resolved to, and the findings
of the last whole run.

Layout: .asyncguard_cache/<format>-<fingerprint>/ where the fingerprint covers the asyncguard
version, the catalog and the engine's code, the settings that change resolution and the
environment's packages.
Inside, one JSON file per module (its resolutions and the files they depended on, with their
hashes) and one file for the last run. Files are written to a temporary name and renamed, so
concurrent runs never see half a file; a file that does not parse is ignored and rewritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from .findings import Finding
from .resolution import CallKey, FunctionRef, Resolution

if TYPE_CHECKING:
    from .catalog import Catalog

FORMAT = "v1"
CACHE_DIR = ".asyncguard_cache"

# Each upgrade, catalog edit, settings change or new environment starts a folder of its own;
# one nobody has read or written for this long is removed by the next cold run.
STALE_AFTER_SECONDS = 30 * 24 * 3600
_FOLDER_NAME = re.compile(r"v\d+-[0-9a-f]+")


# A file written again within its filesystem's timestamp resolution of being read would keep
# the stat recorded for it, so only files last changed this long before the read are
# remembered by their stat (as git does for racily clean index entries).
RACY_NS = 2_000_000_000

StatKey = tuple[int, int, int, int]


def stat_key(path: Path) -> StatKey | None:
    """What changes whenever a file's content does: size, modification and status-change times
    (no tool sets the latter back), inode."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _rules_hash() -> str:
    """The catalog and the engine's own code: a change to either (an upgrade, an edit to an
    editable install) makes every stored answer stale."""
    from .catalog import CATALOG_DIR  # the catalog's parser is not needed to hash its files

    digest = hashlib.blake2b(digest_size=8)
    engine = Path(__file__).parent
    for path in (*sorted(CATALOG_DIR.glob("*.toml")), *sorted(engine.glob("*.py"))):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _write_atomic(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(payload, stream, separators=(",", ":"))
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _resolution_to_json(resolution: Resolution) -> list[Any]:
    return [
        resolution.kind,
        resolution.name,
        resolution.match.name if resolution.match else None,
        [resolution.function.path, resolution.function.qualname] if resolution.function else None,
        resolution.via,
        resolution.constructs,
    ]


def _resolution_from_json(data: list[Any], catalog: Catalog) -> Resolution | None:
    kind, name, matched, function, via, constructs = data
    match = None
    if matched is not None:
        match = catalog.match(matched)
        if match is None:
            return None
    ref = FunctionRef(function[0], function[1]) if function else None
    return Resolution(kind, name=name, match=match, function=ref, via=via, constructs=constructs)


def entries_to_json(entries: list[tuple[CallKey, Resolution]]) -> list[list[Any]]:
    """A module's answers as stored (on disk, or sent by a worker): each call key without
    the module's path, and its resolution."""
    return [[list(key[1:]), _resolution_to_json(resolution)] for key, resolution in entries]


def entry_from_json(
    path: str, key: list[Any], value: list[Any], catalog: Catalog
) -> tuple[CallKey, Resolution] | None:
    """One stored answer back, or None when the catalog no longer has what it matched."""
    resolution = _resolution_from_json(value, catalog)
    return None if resolution is None else ((path, *key), resolution)  # type: ignore[return-value]


class DiskCache:
    def __init__(self, root: Path, settings_key: str, environment_key: str) -> None:
        fingerprint = hashlib.blake2b(
            f"{__version__}|{_rules_hash()}|{settings_key}|{environment_key}".encode(), digest_size=8
        ).hexdigest()
        self.base = root / CACHE_DIR
        self.folder = self.base / f"{FORMAT}-{fingerprint}"
        self.hashes: dict[str, str] = {}
        # Each file's stat and content hash as the last full run read them.
        self.stats: dict[str, list[Any]] = {}
        self._last_run: Any = None

    def _ensure_ignored(self) -> None:
        # Like ruff's cache: the folder says itself that git should ignore it.
        marker = self.base / ".gitignore"
        if not marker.exists():
            with contextlib.suppress(OSError):
                self.base.mkdir(parents=True, exist_ok=True)
                marker.write_text("# Created by asyncguard\n*\n", encoding="utf-8")

    def _module_file(self, path: str) -> Path:
        return self.folder / "modules" / f"{hashlib.blake2b(path.encode(), digest_size=10).hexdigest()}.json"

    # ---- whole runs ---------------------------------------------------------------------
    def run_key(self, files: dict[str, str], extra: str) -> str:
        digest = hashlib.blake2b(extra.encode(), digest_size=12)
        for path in sorted(files):
            digest.update(f"{path}\0{files[path]}\0".encode())
        return digest.hexdigest()

    def _read_last_run(self) -> Any:
        if self._last_run is None:
            self._last_run = _read(self.folder / "last-run.json") or {}
        return self._last_run

    def hashes_from_stats(self, paths: list[Path]) -> dict[str, str] | None:
        """Every file's content hash as the last full run read it, when no file has been
        touched since (same stat): a run on unchanged code then reads no file. None when any
        file is new, touched or was not remembered."""
        stats = self._read_last_run().get("stats")
        if not isinstance(stats, dict):
            return None
        hashes: dict[str, str] = {}
        for path in paths:
            known = stats.get(str(path))
            current = stat_key(path)
            if not isinstance(known, list) or len(known) != 5 or current is None:
                return None
            if list(current) != known[:4]:
                return None
            hashes[str(path)] = known[4]
        return hashes

    def remember(self, path: Path, before: StatKey | None, digest: str, read_at_ns: int) -> None:
        """Record a file's stat taken before its text was read, with that text's hash, unless
        it changed too close to the read for its stat to tell a later change apart."""
        if before is not None and max(before[1], before[2]) < read_at_ns - RACY_NS:
            self.stats[str(path)] = [*before, digest]

    def outside_paths(self) -> list[Path]:
        """Files outside the checked ones that the last run's answers depended on (a check of
        app/api following helpers into app/services): a change there makes the run stale."""
        outside = self._read_last_run().get("outside")
        return [Path(p) for p in outside if isinstance(p, str)] if isinstance(outside, list) else []

    def load_run(self, key: str) -> tuple[list[Finding], list[str], list[str]] | None:
        data = self._read_last_run()
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        with contextlib.suppress(OSError):
            os.utime(self.folder)  # in use: not stale
        try:
            return (
                [Finding.from_dict(item) for item in data["findings"]],
                list(data["errors"]),
                list(data["warnings"]),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def save_run(
        self,
        key: str,
        findings: list[Finding],
        errors: list[str],
        warnings: list[str],
        outside: Iterable[str] = (),
    ) -> None:
        self._ensure_ignored()
        payload = {
            "key": key,
            "findings": [f.to_dict() for f in findings],
            "errors": errors,
            "warnings": warnings,
            "stats": self.stats,
            "outside": sorted(outside),
        }
        _write_atomic(self.folder / "last-run.json", payload)
        self._last_run = payload
        self._remove_stale_folders()

    def refresh_stats(self) -> None:
        """After a run answered from the cache by reading every file (touched, not changed:
        a checkout, a formatter that changed nothing): the next one need not read them."""
        data = self._read_last_run()
        if isinstance(data, dict) and data.get("key") and data.get("stats") != self.stats:
            _write_atomic(self.folder / "last-run.json", {**data, "stats": self.stats})

    def _remove_stale_folders(self) -> None:
        cutoff = time.time() - STALE_AFTER_SECONDS
        try:
            siblings = list(self.base.iterdir())
        except OSError:
            return
        for folder in siblings:
            if folder == self.folder or not _FOLDER_NAME.fullmatch(folder.name):
                continue
            try:
                used = folder.stat().st_mtime
            except OSError:
                continue
            with contextlib.suppress(OSError):
                used = max(used, (folder / "last-run.json").stat().st_mtime)
            if used < cutoff:
                shutil.rmtree(folder, ignore_errors=True)

    # ---- resolutions per module ---------------------------------------------------------
    def load_module(
        self, path: str, catalog: Catalog
    ) -> tuple[list[tuple[CallKey, Resolution]], set[str]] | None:
        data = _read(self._module_file(path))
        if not isinstance(data, dict) or data.get("path") != path:
            return None
        depends = data.get("depends", {})
        if data.get("hash") != self.hashes.get(path) or any(
            self.hashes.get(other) != digest for other, digest in depends.items()
        ):
            return None
        entries: list[tuple[CallKey, Resolution]] = []
        try:
            for key, value in data["calls"]:
                entry = entry_from_json(path, key, value, catalog)
                if entry is None:
                    return None
                entries.append(entry)
        except (TypeError, ValueError):
            return None
        return entries, set(depends)

    def save_module(self, path: str, entries: list[tuple[CallKey, Resolution]], depends: set[str]) -> None:
        if path not in self.hashes:
            return
        self._ensure_ignored()
        payload = {
            "path": path,
            "hash": self.hashes[path],
            "depends": {other: self.hashes[other] for other in sorted(depends) if other in self.hashes},
            "calls": entries_to_json(entries),
        }
        _write_atomic(self._module_file(path), payload)
