"""The catalog of blocking calls: data files under catalog/, one per category, loaded once.

Each entry names a callable by its definition-site qualified name (what jedi's goto reports),
optionally with glob wildcards, plus the public aliases the import table sees
('requests.get' for 'requests.api.get'), a one-line reason, the async alternative and a
severity that follows the cost.
"""

from __future__ import annotations

import ast
import fnmatch
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from .rules import BY_CATEGORY, SEVERITIES, WARNING

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older interpreters only
    import tomli as tomllib

CATALOG_DIR = Path(__file__).with_name("catalog")
RETURNS_FILE = "returns.toml"
_ENTRY_KEYS = {
    "name",
    "aliases",
    "reason",
    "alternative",
    "severity",
    "receivers",
    "not_receivers",
    "exclude",
    "thread_bound",
    "awaitable_alternative",
    "async_twin",
    "unless",
}


class CatalogError(Exception):
    pass


@dataclass(frozen=True)
class Entry:
    name: str
    category: str
    severity: str
    reason: str
    alternative: str
    aliases: tuple[str, ...] = ()
    # Class full names the receiver must be inferred as (when the method is shared with
    # async look-alikes, e.g. redis command mixins).
    receivers: tuple[str, ...] = ()
    # Class full names whose instances never block here although they inherit the method (a
    # subclass that is always finished when code sees it: tenacity's retry outcome).
    not_receivers: tuple[str, ...] = ()
    # For class-wide entries ('Class.*'): method names that do not block.
    exclude: tuple[str, ...] = ()
    # Objects made by this call belong to the thread that made them (sqlite3).
    thread_bound: bool = False
    # A drop-in awaitable replacement for the call ('asyncio.sleep').
    awaitable_alternative: str | None = None
    # The awaitable twin of a method on the same object, as a template of the called name:
    # 'a{name}' (LangChain's invoke -> ainvoke), '{name}_async' (mistralai's complete_async).
    async_twin: str | None = None
    # Forms that make the call non-blocking: 'blocking=False' (keyword or, with an index,
    # '0=False' for a positional), a bare keyword name that must merely be present, 'N:memory'
    # or 'name:memory' (that argument is an io.BytesIO/StringIO), 'receiver:memory' (the object
    # was made over one), 'receiver:client-cursor' (a psycopg cursor made without a name),
    # 'N~FLAG' (argument N or-s in a flag named FLAG: 'os.WNOHANG') and 'not-iterated' (a lazy
    # iterator: it blocks only where its result is iterated).
    unless: tuple[str, ...] = ()
    source: str = field(default="catalog", compare=False)

    @property
    def code(self) -> str:
        return BY_CATEGORY[self.category].code

    def takes(self, receiver: str) -> bool:
        """Can a receiver of this class run the entry's blocking method?"""
        return (not self.receivers or receiver in self.receivers) and receiver not in self.not_receivers

    def twin_of(self, method: str) -> str | None:
        """The awaitable twin of 'method' on the same object, if the entry names one. A
        streaming method's twin is an async iterator ('astream'), not an awaitable: none."""
        if self.async_twin is None or "stream" in method or method.endswith("iter"):
            return None
        return self.async_twin.format(name=method)

    @property
    def lazy(self) -> bool:
        """The call makes a lazy result that blocks only where it is iterated."""
        return "not-iterated" in self.unless

    @property
    def is_pattern(self) -> bool:
        return "*" in self.name or "?" in self.name


@dataclass
class Match:
    entry: Entry
    # The concrete name that matched (the pattern's instance for wildcard entries).
    name: str


class Catalog:
    def __init__(self, entries: Iterable[Entry], allow: Iterable[str] = ()) -> None:
        self.allow: tuple[str, ...] = tuple(allow)
        self._allowed = [re.compile(fnmatch.translate(p)) for p in self.allow]
        self.entries: list[Entry] = [
            e for e in entries if not any(self.is_allowed(n) for n in (e.name, *e.aliases))
        ]
        self._exact: dict[str, Entry] = {}
        self._patterns: list[tuple[re.Pattern[str], Entry]] = []
        self.roots: set[str] = set()
        self.method_names: set[str] = set()
        self.method_prefixes: set[str] = set()
        # Top-level packages with whole-class or whole-package entries ('openai.resources.*'):
        # their method names are listed nowhere, so a call on an object of theirs is looked up
        # by what it is called on rather than by its name.
        self.wide_roots: set[str] = set()
        # Method names listed only by entries that block where their result is iterated
        # (Django's lazy QuerySet builders): any other call of such a name needs no lookup.
        lazy: set[str] = set()
        eager: set[str] = set()
        for entry in self.entries:
            for name in (entry.name, *entry.aliases):
                if "*" in name or "?" in name:
                    self._patterns.append((re.compile(fnmatch.translate(name)), entry))
                else:
                    self._exact.setdefault(name, entry)
                self.roots.add(name.split(".")[0])
                last = name.rsplit(".", 1)[-1]
                if "*" in last or "?" in last:
                    # 'find_one_and_*' narrows the names; a bare '*' (a whole class) does not,
                    # and is reached through the receiver's type instead.
                    prefix = last.split("*")[0].split("?")[0]
                    if prefix:
                        self.method_prefixes.add(prefix)
                    else:
                        self.wide_roots.add(name.split(".")[0])
                else:
                    self.method_names.add(last)
                    (lazy if entry.lazy else eager).add(last)
        self._only_when_iterated = lazy - eager

    def __len__(self) -> int:
        return len(self.entries)

    def match(self, name: str) -> Match | None:
        entry = self._exact.get(name)
        if entry is not None:
            return Match(entry, name)
        # A pattern covers a library's sync classes; its async twins (AsyncCompletions,
        # AsyncElasticsearch, ...) live beside them and never block.
        if any(part.startswith("Async") for part in name.split(".")):
            return None
        for pattern, entry in self._patterns:
            if pattern.match(name):
                method = name.rsplit(".", 1)[-1]
                if method in entry.exclude or method.startswith("_"):
                    continue
                return Match(entry, name)
        return None

    def may_match_method(self, attr: str, iterated: bool = True) -> bool:
        """Could a call ending in '.attr' be in the catalog by its own name? (the cheap
        pre-filter before jedi; whole-class entries are matched through receiver types).
        'iterated': the call's result is iterated where it is made."""
        if attr in self._only_when_iterated:
            return iterated
        return attr in self.method_names or any(attr.startswith(p) for p in self.method_prefixes)

    def is_allowed(self, name: str) -> bool:
        """Names the project's 'allow' list says are never reported."""
        return any(p.match(name) for p in self._allowed)

    def configured(
        self,
        *,
        extra: Iterable[Entry] = (),
        allow: Iterable[str] = (),
        severity: dict[str, str] | None = None,
    ) -> Catalog:
        overrides = severity or {}
        entries = (
            replace(e, severity=overrides[e.category]) if e.category in overrides else e
            for e in (*extra, *self.entries)
        )
        return Catalog(entries, allow=(*self.allow, *allow))


MEMORY_BUFFERS = frozenset({"io.BytesIO", "io.StringIO", "_io.BytesIO", "_io.StringIO"})


def _in_memory(node: ast.expr, type_of: Callable[[ast.expr], str | None] | None) -> bool:
    if isinstance(node, ast.Call):
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if callee in ("BytesIO", "StringIO"):
            return True
    return type_of is not None and type_of(node) in MEMORY_BUFFERS


def _client_side_cursor(made: ast.Call) -> bool:
    """'conn.cursor()' with no name: a client-side cursor, whose execute() already brought every
    row over; a named one ('conn.cursor("big")') is a server-side cursor that fetches lazily.
    psycopg 3's 'conn.execute(...)' returns a client-side cursor too."""
    if not isinstance(made.func, ast.Attribute):
        return False
    if made.func.attr == "execute":
        return True
    if made.func.attr != "cursor" or made.args:
        return False
    for keyword in made.keywords:
        if keyword.arg is None:
            return False
        if keyword.arg == "name" and not (
            isinstance(keyword.value, ast.Constant) and not keyword.value.value
        ):
            return False
    return True


def exempt(
    entry: Entry,
    call: ast.Call,
    type_of: Callable[[ast.expr], str | None] | None = None,
    origin: Callable[[ast.expr], ast.Call | None] | None = None,
    *,
    iterated: bool = False,
) -> bool:
    """Does this call use an argument form that never blocks ('acquire(blocking=False)', an
    archive over an in-memory buffer, a method of an archive opened over one)?"""
    for condition in entry.unless:
        if condition == "not-iterated":
            # A lazy iterator (a boto3 paginator's pages): the requests go out as it is iterated.
            if not iterated:
                return True
            continue
        if condition == "receiver:memory":
            receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
            made = origin(receiver) if receiver is not None and origin is not None else None
            if made is not None and any(
                _in_memory(value, type_of)
                for value in (
                    *made.args[:1],
                    *(k.value for k in made.keywords if k.arg in ("file", "fileobj")),
                )
                if not isinstance(value, ast.Starred)
            ):
                return True
            continue
        if condition == "receiver:client-cursor":
            receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
            made = origin(receiver) if receiver is not None and origin is not None else None
            if made is not None and _client_side_cursor(made):
                return True
            continue
        if condition.endswith(":memory"):
            value = _argument(call, condition[: -len(":memory")])
            if value is not None and _in_memory(value, type_of):
                return True
            continue
        if "~" in condition:
            # 'N~FLAG': argument N is a flag set naming FLAG ('os.WNOHANG', 'WNOHANG | WUNTRACED').
            where, _, flag = condition.partition("~")
            value = _argument(call, where)
            if value is not None and flag in _flag_names(value):
                return True
            continue
        name, _, literal = condition.partition("=")
        value = _argument(call, name)
        if value is None:
            continue
        if not literal:
            return True
        try:
            expected = ast.literal_eval(literal)
        except (ValueError, SyntaxError):
            continue
        if (
            isinstance(value, ast.Constant)
            and value.value == expected
            and type(value.value) is type(expected)
        ):
            return True
    return False


def _argument(call: ast.Call, where: str) -> ast.expr | None:
    """The positional argument at index 'where' (when no star argument comes before it) or
    the keyword argument named 'where'."""
    if where.isdigit():
        index = int(where)
        if index < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
            return call.args[index]
        return None
    return next((k.value for k in call.keywords if k.arg == where), None)


def _flag_names(value: ast.expr) -> set[str]:
    """The last identifiers of the names or attributes or-ed together in 'value'."""
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitOr):
        return _flag_names(value.left) | _flag_names(value.right)
    if isinstance(value, ast.Attribute):
        return {value.attr}
    if isinstance(value, ast.Name):
        return {value.id}
    return set()


def _entry_from_table(table: dict[str, object], category: str, where: str) -> Entry:
    unknown = set(table) - _ENTRY_KEYS
    if unknown:
        raise CatalogError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    for key in ("name", "reason", "alternative"):
        if not isinstance(table.get(key), str) or not table[key]:
            raise CatalogError(f"{where}: '{key}' must be a non-empty string")
    severity = table.get("severity", BY_CATEGORY[category].severity)
    if severity not in SEVERITIES:
        raise CatalogError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    return Entry(
        name=str(table["name"]),
        category=category,
        severity=str(severity),
        reason=str(table["reason"]),
        alternative=str(table["alternative"]),
        aliases=tuple(table.get("aliases", ())),  # type: ignore[arg-type]
        receivers=tuple(table.get("receivers", ())),  # type: ignore[arg-type]
        not_receivers=tuple(table.get("not_receivers", ())),  # type: ignore[arg-type]
        exclude=tuple(table.get("exclude", ())),  # type: ignore[arg-type]
        thread_bound=bool(table.get("thread_bound", False)),
        awaitable_alternative=table.get("awaitable_alternative"),  # type: ignore[arg-type]
        async_twin=table.get("async_twin"),  # type: ignore[arg-type]
        unless=tuple(table.get("unless", ())),  # type: ignore[arg-type]
    )


def load_file(path: Path) -> list[Entry]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path.name}: {exc}") from None
    category = data.get("category")
    if category not in BY_CATEGORY:
        raise CatalogError(f"{path.name}: unknown category {category!r}")
    return [
        _entry_from_table(table, category, f"{path.name} entry {number}")
        for number, table in enumerate(data.get("entry", []), start=1)
    ]


@cache
def builtin_entries() -> tuple[Entry, ...]:
    entries: list[Entry] = []
    for path in sorted(CATALOG_DIR.glob("*.toml")):
        if path.name != RETURNS_FILE:
            entries.extend(load_file(path))
    return tuple(entries)


@cache
def _returns_data() -> dict[str, Any]:
    path = CATALOG_DIR / RETURNS_FILE
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path.name}: {exc}") from None


@cache
def builtin_readers() -> dict[str, tuple[int, tuple[str, ...]]]:
    """Functions that read a file-like argument ('json.load(fp)'): name -> (position,
    keyword names) of that argument (see returns.toml)."""
    readers: dict[str, tuple[int, tuple[str, ...]]] = {}
    for number, item in enumerate(_returns_data().get("reads", []), start=1):
        callees, position, keywords = item.get("callee"), item.get("argument", 0), item.get("keywords", [])
        if (
            not isinstance(callees, list)
            or not isinstance(position, int)
            or not isinstance(keywords, list)
            or set(item) - {"callee", "argument", "keywords"}
        ):
            raise CatalogError(
                f"{RETURNS_FILE} reads {number}: needs 'callee' (list), 'argument' (int), 'keywords' (list)"
            )
        for callee in callees:
            readers[str(callee)] = (position, tuple(str(k) for k in keywords))
    return readers


@cache
def builtin_decorated() -> dict[str, str]:
    """Decorator last name -> the class a function under it becomes (see returns.toml)."""
    table: dict[str, str] = {}
    for number, item in enumerate(_returns_data().get("decorated", []), start=1):
        names, result = item.get("decorator"), item.get("type")
        if not isinstance(names, list) or not isinstance(result, str) or set(item) - {"decorator", "type"}:
            raise CatalogError(
                f"{RETURNS_FILE} decorated {number}: needs 'decorator' (list) and 'type' (string)"
            )
        for name in names:
            table[str(name)] = result
    return table


@cache
def builtin_returns() -> dict[str, str]:
    """callee definition-site name -> class of its result (see returns.toml)."""
    path = CATALOG_DIR / RETURNS_FILE
    data = _returns_data()
    table: dict[str, str] = {}
    for number, item in enumerate(data.get("returns", []), start=1):
        callees, result = item.get("callee"), item.get("type")
        if isinstance(callees, str):
            callees = [callees]
        if not isinstance(result, str) or not isinstance(callees, list) or set(item) - {"callee", "type"}:
            raise CatalogError(f"{path.name} returns {number}: needs 'callee' (list) and 'type' (string)")
        for callee in callees:
            table[str(callee)] = result
    return table


def default_catalog(*, cpu_heavy: bool = False) -> Catalog:
    return Catalog(e for e in builtin_entries() if cpu_heavy or e.category != "cpu")


def custom_entry(pattern: str, reason: str | None = None) -> Entry:
    """An entry from the project's 'extra-blocking' configuration."""
    return Entry(
        name=pattern,
        category="custom",
        severity=WARNING,
        reason=reason or "listed as blocking in the project's configuration",
        alternative=f"await asyncio.to_thread({pattern.rsplit('.', 1)[-1]}, ...)",
        source="config",
    )
