"""The module model: one parse of a file into functions, the calls each one evaluates, imports
and scopes, with exact source spans. Everything downstream (loop detection, resolution, reach,
fixes, hover) reads this model; nothing parses the file again.
"""

from __future__ import annotations

import ast
import bisect
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .parsing import ChunkCache, parse_incremental
from .positions import LineIndex, Span
from .source import comment_lines
from .walk import child_nodes, walk

# Offload helpers: attribute or function name -> index of the callable argument.
OFFLOAD_HELPERS: dict[str, int] = {
    "to_thread": 0,
    "run_in_executor": 1,
    "run_in_threadpool": 0,
    "run_sync": 0,
    "add_task": 0,
    "sync_to_async": 0,
}

# Calls whose coroutine arguments are scheduled rather than run: an argument call here is
# treated like an awaited call.
COROUTINE_CONSUMERS = frozenset(
    {"gather", "wait_for", "create_task", "ensure_future", "shield", "wait", "run_coroutine_threadsafe"}
)

# Higher-order callables that call their function argument synchronously, right there.
SYNC_HIGHER_ORDER = frozenset({"sorted", "map", "filter", "min", "max", "reduce", "sort"})

CACHE_DECORATORS = frozenset({"cache", "lru_cache", "cached_property", "cached", "memoize"})

# Calls that iterate their argument right away: a generator passed to them runs here.
EAGER_CONSUMERS = frozenset(
    {
        "list",
        "tuple",
        "set",
        "frozenset",
        "dict",
        "sorted",
        "sum",
        "min",
        "max",
        "any",
        "all",
        "next",
        "join",
        "extend",
    }
)

# Responses that iterate what they are given later, while streaming (Starlette iterates a sync
# iterator in its threadpool): a generator handed to them does not run here.
LAZY_CONSUMERS = frozenset({"StreamingResponse", "EventSourceResponse"})


def dotted_name(node: ast.expr) -> str | None:
    """'a.b.c' for a chain of attribute loads on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def is_type_checking(test: ast.expr) -> bool:
    name = dotted_name(test)
    return name is not None and name.split(".")[-1] == "TYPE_CHECKING"


@dataclass
class CallSite:
    """One call evaluated by a function's own frame."""

    span: Span
    func_span: Span
    # Position of the callee's last identifier: where jedi is asked.
    name_line: int
    name_col: int
    dotted: str | None
    attr: str
    receiver: ast.expr | None
    node: ast.Call = field(repr=False)
    stmt_span: Span
    awaited: bool = False
    # The call is the callable argument of an offload helper: it runs before the offload.
    offload_misuse: str | None = None
    # The call sits in a lambda that is called synchronously on the loop: no await possible.
    in_lambda: bool = False
    # The call is the base of an attribute, subscript or call: wrapping needs parentheses.
    parent_kind: str | None = None
    # The call is the context expression of a plain 'with'.
    with_item: bool = False
    # The call is a direct argument of a coroutine consumer (gather, create_task, ...).
    scheduled: bool = False
    # The call's result is iterated right here (a for loop, a comprehension, list(...)): a
    # generator function's body runs now, not later.
    consumed: bool = False
    # Not a call in the source: a plain 'with obj:' entering an object (a thread lock), which
    # runs type(obj).__enter__. 'receiver' is the object; nothing to wrap in place.
    entered: bool = False
    # The call's result is what its function returns (directly, through a slice, or through
    # a local the function returns): a caller iterating that function's result iterates it.
    returned: bool = False
    # The call runs only while a module global (or an attribute of the method's object) is
    # unset, and the same branch sets it ('if _client is None: _client = make_client()'): it
    # runs once, like a cached call.
    once: bool = False


@dataclass
class AttrLoad:
    """An attribute read that may run a property getter."""

    span: Span
    name_line: int
    name_col: int
    attr: str
    stmt_span: Span


@dataclass
class FunctionInfo:
    qualname: str
    name: str
    is_async: bool
    node: ast.FunctionDef | ast.AsyncFunctionDef = field(repr=False)
    span: Span
    name_span: Span
    class_qualname: str | None
    parent: str | None
    decorators: list[str]
    kind: str  # function, method, staticmethod, classmethod, property
    cached: bool
    has_await: bool = False
    calls: list[CallSite] = field(default_factory=list)
    attr_loads: list[AttrLoad] = field(default_factory=list)
    local_names: set[str] = field(default_factory=set)
    global_names: set[str] = field(default_factory=set)
    nested: dict[str, str] = field(default_factory=dict)  # local def name -> qualname
    # name -> dotted target for names bound by imports in the function's own frame ('import
    # json' inside a handler); a name imported twice to different targets is left out.
    imports: dict[str, str] = field(default_factory=dict)
    params: list[str] = field(default_factory=list)
    is_generator: bool = False
    is_contextmanager: bool = False
    # The top-level statement the function sits in: its first line and a hash of its source
    # and of the module's other top-level statements (imports, assignments). Resolution
    # results keyed by it survive edits anywhere else in the file.
    anchor_line: int = 0
    context_key: str = ""


@dataclass
class ClassInfo:
    qualname: str
    name: str
    node: ast.ClassDef = field(repr=False)
    span: Span
    bases: list[str]
    methods: dict[str, str] = field(default_factory=dict)  # name -> function qualname
    # A base that is not a plain name ('declarative_base()'): what it brings is unknown.
    opaque_bases: bool = False


@dataclass
class ModuleInfo:
    path: str
    module_name: str
    text: str
    index: LineIndex = field(repr=False)
    tree: ast.Module | None = field(repr=False)
    syntax_error: str | None
    # name -> dotted target for names bound by imports at module level.
    imports: dict[str, str]
    # name -> dotted expression for simple module-level aliases ('fetch = requests.get').
    aliases: dict[str, str]
    # Module-level names bound in more than one way: the import table cannot answer for them.
    ambiguous: set[str]
    functions: dict[str, FunctionInfo]
    classes: dict[str, ClassInfo]
    top_level: dict[str, str]  # module-level def/class name -> qualname
    module_assigns: dict[str, ast.expr] = field(repr=False, default_factory=dict)
    # Ambiguous names bound only by plain assignments ('DATA_DIR = Path(x)' in one branch,
    # 'DATA_DIR = Path(y).resolve()' in another): every value, for a type they may agree on.
    module_alternatives: dict[str, list[ast.expr]] = field(repr=False, default_factory=dict)
    comments: dict[int, str] = field(default_factory=dict)
    # Parsed top-level statements, for the next version of the same file.
    chunks: ChunkCache | None = field(default=None, repr=False)
    # A hash of the module's top-level statements other than definitions (imports,
    # assignments): what every definition's meaning may depend on.
    header_key: str = ""
    # '@overload' stubs -> the definition after them that runs when the name is called.
    implementations: dict[str, str] = field(default_factory=dict)
    # Module-level names bound once, with an annotation ('CLIENTS: dict[str, Session] = {}').
    module_annotations: dict[str, ast.expr] = field(repr=False, default_factory=dict)

    def runtime_function(self, qualname: str) -> str:
        """The definition a call of 'qualname' runs: an overloaded name's implementation."""
        return self.implementations.get(qualname, qualname)

    @property
    def package(self) -> str:
        if self.path.endswith("__init__.py"):
            return self.module_name
        return self.module_name.rpartition(".")[0]

    def is_local(self, function: FunctionInfo, name: str) -> bool:
        """Is 'name' bound inside the function or a function around it (not a module name)?"""
        return self.binding_frame(function, name) is not None

    def binding_frame(self, function: FunctionInfo, name: str) -> FunctionInfo | None:
        """The innermost of the function and the functions around it that binds 'name'."""
        current: FunctionInfo | None = function
        while current is not None:
            if name in current.local_names and name not in current.global_names:
                return current
            current = self.functions.get(current.parent) if current.parent else None
        return None


def _resolve_relative(package: str, level: int, module: str | None) -> str:
    parts = package.split(".") if package else []
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    base = ".".join(parts)
    if module:
        return f"{base}.{module}" if base else module
    return base


def _kept(node: ast.expr) -> str | None:
    """'X' or 'self.X': where a result can be kept between calls."""
    name = dotted_name(node)
    if name is None or name.count(".") > 1 or ("." in name and not name.startswith("self.")):
        return None
    return name


def _compared_to_none(test: ast.expr, op: type[ast.cmpop]) -> str | None:
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], op)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        return _kept(test.left)
    return None


def _unset_test(test: ast.expr) -> str | None:
    """What an 'if' tests for being unset: 'X is None', 'not self.X'."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _kept(test.operand)
    return _compared_to_none(test, ast.Is)


def _returns_when_set(stmt: ast.stmt) -> str | None:
    """What 'if X is not None: return X' (or 'if self.X: return self.X') tests, else None."""
    if not (isinstance(stmt, ast.If) and not stmt.orelse and len(stmt.body) == 1):
        return None
    if not isinstance(stmt.body[0], ast.Return):
        return None
    if isinstance(stmt.test, (ast.Name, ast.Attribute)):
        return _kept(stmt.test)
    return _compared_to_none(stmt.test, ast.IsNot)


def _assigns(body: list[ast.stmt], name: str) -> bool:
    """Does the block assign 'name' ('X' or 'self.X'; anywhere in it, not in nested definitions)?"""
    for node in frame_nodes(body):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(dotted_name(t) == name for t in targets):
                return True
    return False


# Methods that fill a container in place ('_cache.update(...)'): a module global filled by a
# helper needs no 'global' statement.
_FILLING_METHODS = frozenset({"update", "append", "add", "extend", "setdefault", "insert"})


def _module_fills(body: list[ast.stmt], module_names: set[str]) -> dict[str, frozenset[str]]:
    """For each module-level sync function, the module globals it fills in place
    ('_translations[key] = ...', '_cache.update(...)') or rebinds under 'global'."""
    fills: dict[str, frozenset[str]] = {}
    for stmt in body:
        if not isinstance(stmt, ast.FunctionDef):
            continue
        declared = {
            name for node in frame_nodes(stmt.body) if isinstance(node, ast.Global) for name in node.names
        }
        filled: set[str] = set()
        for node in frame_nodes(stmt.body):
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                        filled.add(target.value.id)
                    elif isinstance(target, ast.Name) and target.id in declared:
                        filled.add(target.id)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _FILLING_METHODS
                and isinstance(node.func.value, ast.Name)
            ):
                filled.add(node.func.value.id)
        # A name the function binds itself (a parameter, 'cache = {}', a loop variable) is its
        # own local, whatever it fills.
        args = stmt.args
        bound = {
            a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a
        }
        bound |= {
            n.id for n in frame_nodes(stmt.body) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        kept = (filled & module_names) - (bound - declared)
        if kept:
            fills[stmt.name] = frozenset(kept)
    return fills


def _fills_by_call(body: list[ast.stmt], name: str, fills: dict[str, frozenset[str]]) -> bool:
    """Does the block call a module function that fills 'name' ('if not _cache: _load()')?"""
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and name in fills.get(node.func.id, ())
        for node in frame_nodes(body)
    )


def _implementations(functions: dict[str, FunctionInfo]) -> dict[str, str]:
    """Each '@overload' stub's implementation: the next definition of the same name in the same
    scope that is not a stub. A redefinition's qualname ends in '@line'."""
    found: dict[str, str] = {}
    waiting: dict[str, list[str]] = {}
    for qualname, info in functions.items():
        base = qualname.rsplit("@", 1)[0] if qualname.rpartition("@")[2].isdigit() else qualname
        if any(d.rsplit(".", 1)[-1] == "overload" for d in info.decorators):
            waiting.setdefault(base, []).append(qualname)
        elif base in waiting:
            for stub in waiting.pop(base):
                found[stub] = qualname
    return found


def _import_bindings(stmt: ast.Import | ast.ImportFrom, package: str) -> Iterator[tuple[str, str]]:
    """(local name, dotted target) for each name an import statement binds; 'import a.b'
    binds 'a' to the package a."""
    if isinstance(stmt, ast.Import):
        for alias in stmt.names:
            if alias.asname:
                yield alias.asname, alias.name
            else:
                root = alias.name.split(".")[0]
                yield root, root
        return
    base = _resolve_relative(package, stmt.level, stmt.module) if stmt.level else (stmt.module or "")
    for alias in stmt.names:
        if alias.name != "*":
            yield alias.asname or alias.name, f"{base}.{alias.name}" if base else alias.name


class _ModuleBuilder:
    def __init__(self, path: str, module_name: str, text: str, is_package: bool) -> None:
        self.path = path
        self.module_name = module_name
        self.package = module_name if is_package else module_name.rpartition(".")[0]
        self.index = LineIndex(text)
        self.functions: dict[str, FunctionInfo] = {}
        self.classes: dict[str, ClassInfo] = {}
        # Module globals each module function fills: a call under 'if not X:' that fills X runs once.
        self.fills: dict[str, frozenset[str]] = {}
        self.definitions_stage = "definitions"

    # ---- module level -------------------------------------------------------------------
    def build(self, text: str, cache: ChunkCache | None = None) -> ModuleInfo:
        parsed, self.chunks = parse_incremental(text, cache)
        tree = parsed.tree
        imports: dict[str, str] = {}
        aliases: dict[str, str] = {}
        ambiguous: set[str] = set()
        top_level: dict[str, str] = {}
        module_assigns: dict[str, ast.expr] = {}
        assigned: dict[str, list[ast.expr]] = {}
        bound: dict[str, int] = {}
        annotations: dict[str, ast.expr] = {}
        if tree is not None:
            for stmt, in_type_checking in _module_statements(tree.body):
                self._bind_module_stmt(
                    stmt, in_type_checking, imports, aliases, bound, module_assigns, assigned
                )
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    annotations[stmt.target.id] = stmt.annotation
            self.fills = _module_fills(tree.body, set(bound))
            # What other functions fill is part of what a definition's walk found ('runs once').
            self.definitions_stage = f"definitions:{hash(tuple(sorted(self.fills.items())))}"
            for stmt in tree.body:
                self._definitions_of(stmt)
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    top_level[stmt.name] = stmt.name
        if tree is not None:
            self._assign_contexts(tree)
        ambiguous = {name for name, count in bound.items() if count > 1}
        alternatives = {
            name: assigned[name] for name in ambiguous if len(assigned.get(name, ())) == bound[name]
        }
        for name in ambiguous:
            imports.pop(name, None)
            aliases.pop(name, None)
        return ModuleInfo(
            path=self.path,
            module_name=self.module_name,
            text=text,
            index=self.index,
            tree=tree,
            syntax_error=parsed.error,
            imports=imports,
            aliases=aliases,
            ambiguous=ambiguous,
            functions=self.functions,
            classes=self.classes,
            top_level=top_level,
            module_assigns=module_assigns,
            module_alternatives=alternatives,
            comments=comment_lines(text),
            header_key=getattr(self, "header_key", ""),
            implementations=_implementations(self.functions),
            module_annotations={name: a for name, a in annotations.items() if name not in ambiguous},
        )

    def _definitions_of(self, stmt: ast.stmt) -> None:
        """Functions and classes of one top-level statement, reused when the statement is."""
        stage = self.definitions_stage
        cached = self.chunks.reuse(stage, stmt) if self.chunks is not None else None
        if cached is not None:
            functions, classes = cached  # type: ignore[misc]
            if not (set(functions) & set(self.functions)):
                self.functions.update(functions)
                self.classes.update(classes)
                return
        before_functions, before_classes = set(self.functions), set(self.classes)
        self._visit_definitions(stmt, prefix="", class_qualname=None, parent=None)
        if self.chunks is not None:
            functions = {k: v for k, v in self.functions.items() if k not in before_functions}
            classes = {k: v for k, v in self.classes.items() if k not in before_classes}
            self.chunks.keep(stage, stmt, (functions, classes))

    def _assign_contexts(self, tree: ast.Module) -> None:
        definitions: list[tuple[int, int, str]] = []
        header = hashlib.blake2b(digest_size=8)
        for stmt in tree.body:
            first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
            last = stmt.end_lineno or stmt.lineno
            segment = self.index.lines_text(first, last)
            if _contains_definitions(stmt):
                definitions.append((first, last, segment))
            else:
                header.update(segment.encode("utf-8", "surrogatepass"))
        prefix = header.hexdigest()
        self.header_key = prefix
        starts = [first for first, _, _ in definitions]
        keys = [
            hashlib.blake2b((prefix + segment).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
            for _, _, segment in definitions
        ]
        for function in self.functions.values():
            position = bisect.bisect_right(starts, function.node.lineno) - 1
            if position >= 0 and function.node.lineno <= definitions[position][1]:
                function.anchor_line = starts[position]
                function.context_key = keys[position]

    def _bind_module_stmt(
        self,
        stmt: ast.stmt,
        in_type_checking: bool,
        imports: dict[str, str],
        aliases: dict[str, str],
        bound: dict[str, int],
        module_assigns: dict[str, ast.expr],
        assigned: dict[str, list[ast.expr]],
    ) -> None:
        def bind(name: str) -> None:
            # Imports only visible to type checkers still tell us what a name means in
            # annotations; they never shadow a runtime binding.
            if not in_type_checking:
                bound[name] = bound.get(name, 0) + 1

        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for local, target in _import_bindings(stmt, self.package):
                # Importing the same thing again ('import a.b' then 'import a.c' bind 'a' to the
                # one package) is not a second meaning.
                if not (imports.get(local) == target and local in bound):
                    bind(local)
                imports[local] = target
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind(stmt.name)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            value = stmt.value
            for target in targets:
                for name in target_names(target):
                    bind(name)
                if isinstance(target, ast.Name) and value is not None:
                    module_assigns[target.id] = value
                    if not in_type_checking:
                        assigned.setdefault(target.id, []).append(value)
                    dotted = dotted_name(value)
                    if dotted is not None and len(targets) == 1:
                        aliases[target.id] = dotted
        elif isinstance(stmt, (ast.AugAssign,)):
            for name in target_names(stmt.target):
                bind(name)

    def _visit_definitions(
        self, stmt: ast.stmt, prefix: str, class_qualname: str | None, parent: str | None
    ) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._add_function(stmt, prefix, class_qualname, parent)
        elif isinstance(stmt, ast.ClassDef):
            qualname = f"{prefix}{stmt.name}"
            info = ClassInfo(
                qualname=qualname,
                name=stmt.name,
                node=stmt,
                span=self.index.span(stmt),
                bases=[d for d in (dotted_name(_base_class(b)) for b in stmt.bases) if d],
                opaque_bases=any(dotted_name(_base_class(b)) is None for b in stmt.bases),
            )
            self.classes[qualname] = info
            for child in stmt.body:
                for inner, _ in _block_statements([child]):
                    if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        info.methods.setdefault(inner.name, f"{qualname}.{inner.name}")
                    self._visit_definitions(inner, f"{qualname}.", qualname, parent)
        else:
            for child in _child_blocks(stmt):
                self._visit_definitions(child, prefix, class_qualname, parent)

    def _add_function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        prefix: str,
        class_qualname: str | None,
        parent: str | None,
    ) -> None:
        qualname = f"{prefix}{node.name}"
        if qualname in self.functions:
            # Redefinition (property setters, overloads): keep each, distinguishable by line.
            qualname = f"{qualname}@{node.lineno}"
        decorators = [_decorator_name(d) for d in node.decorator_list]
        last = [d.split(".")[-1] for d in decorators]
        kind = "function"
        if class_qualname is not None:
            kind = "method"
            if "staticmethod" in last:
                kind = "staticmethod"
            elif "classmethod" in last:
                kind = "classmethod"
            elif (
                "property" in last
                or "cached_property" in last
                or any(d.endswith((".setter", ".getter", ".deleter")) for d in decorators)
            ):
                kind = "property"
        start = node.decorator_list[0] if node.decorator_list else node
        span = self.index.span(node)
        span = Span(
            start.lineno, self.index.char_col(start.lineno, start.col_offset), span.end_line, span.end_col
        )
        info = FunctionInfo(
            qualname=qualname,
            name=node.name,
            is_async=isinstance(node, ast.AsyncFunctionDef),
            node=node,
            span=span,
            name_span=self._name_span(node),
            class_qualname=class_qualname,
            parent=parent,
            decorators=decorators,
            kind=kind,
            cached=any(name in CACHE_DECORATORS for name in last),
            params=_param_names(node.args),
            is_contextmanager=any(name in ("contextmanager", "asynccontextmanager") for name in last),
        )
        self.functions[qualname] = info
        walker = _FrameWalker(self.index, info, self.package, self.fills)
        walker.walk_function(node)
        nested_prefix = f"{qualname}.<locals>."
        for child in walker.nested_defs:
            if isinstance(child, ast.ClassDef):
                self._visit_definitions(child, nested_prefix, None, qualname)
            else:
                info.nested[child.name] = f"{nested_prefix}{child.name}"
                self._add_function(child, nested_prefix, None, qualname)

    def _name_span(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> Span:
        line = node.lineno
        text = self.index.line_text(line)
        col = self.index.char_col(line, node.col_offset)
        keyword_end = text.find("def", col)
        name_col = text.find(node.name, keyword_end + 3 if keyword_end >= 0 else col)
        if name_col < 0:
            name_col = col
        return Span(line, name_col, line, name_col + len(node.name))


def _base_class(node: ast.expr) -> ast.expr:
    """'BaseRepository[User]' inherits from BaseRepository."""
    return node.value if isinstance(node, ast.Subscript) else node


def _contains_definitions(stmt: ast.stmt) -> bool:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in walk(stmt))


def _module_statements(body: list[ast.stmt]) -> list[tuple[ast.stmt, bool]]:
    """Module-level statements, looking inside if/try blocks (conditional imports)."""
    return list(_block_statements(body))


def _block_statements(body: list[ast.stmt], in_type_checking: bool = False):  # type: ignore[no-untyped-def]
    for stmt in body:
        if isinstance(stmt, ast.If):
            inside = in_type_checking or is_type_checking(stmt.test)
            yield from _block_statements(stmt.body, inside)
            yield from _block_statements(stmt.orelse, in_type_checking)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            yield from _block_statements(stmt.body, in_type_checking)  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                yield from _block_statements(handler.body, in_type_checking)
            yield from _block_statements(stmt.orelse, in_type_checking)  # type: ignore[attr-defined]
            yield from _block_statements(stmt.finalbody, in_type_checking)  # type: ignore[attr-defined]
        else:
            yield stmt, in_type_checking


def _child_blocks(stmt: ast.stmt) -> list[ast.stmt]:
    """Statements nested in compound statements (if/try/with/for/while) at the same scope."""
    children: list[ast.stmt] = []
    for name in ("body", "orelse", "finalbody"):
        children.extend(getattr(stmt, name, []) or [])
    for handler in getattr(stmt, "handlers", []) or []:
        children.extend(handler.body)
    for case in getattr(stmt, "cases", []) or []:
        children.extend(case.body)
    return children


def frame_nodes(roots: Iterable[ast.AST], other_frames: list[ast.AST] | None = None) -> Iterator[ast.AST]:
    """Every node under these roots that belongs to the same frame: nested defs, classes and
    lambdas are other frames, so they and their insides are skipped (and collected in
    'other_frames' when given)."""
    stack = list(roots)
    while stack:
        child = stack.pop()
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            if other_frames is not None:
                other_frames.append(child)
            continue
        yield child
        stack.extend(child_nodes(child))


def attribute_stores(
    nodes: Iterable[ast.AST], attr: str
) -> Iterator[tuple[ast.Assign | ast.AnnAssign, ast.Attribute]]:
    """Assignments among these nodes to '<something>.<attr>', each with its target."""
    for node in nodes:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == attr:
                    yield node, target


def on_self(target: ast.Attribute) -> bool:
    return isinstance(target.value, ast.Name) and target.value.id == "self"


def callee_name(call: ast.Call) -> str:
    """The name a call is made by: 'gather' for asyncio.gather(...) and gather(...)."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


@dataclass
class FrameUses:
    iterated: set[str]
    streamed: set[str]
    returned: set[str]
    awaited_later: set[str]
    nested: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]


def _frame_uses(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
) -> FrameUses:
    """In one walk of the frame: local names it iterates (for loops, comprehensions, list(x),
    *x, yield from x, 'in x'); names it only hands to a streaming response or returns; the
    names it returns; in a coroutine, names bound once and then awaited or handed to
    gather()/create_task(): the call that made them returned an awaitable ('coro =
    deployment.apply(...)'; 'await coro'), as a sync/async dispatching function does in async
    code; and the defs and classes directly in the frame, in source order."""
    other_frames: list[ast.AST] = []
    iterated: set[str] = set()
    streamed: set[str] = set()
    returned: set[str] = set()
    awaited: set[str] = set()
    bound: dict[str, int] = {}
    for child in frame_nodes(node.body, other_frames):
        if isinstance(child, (ast.For, ast.comprehension)) and isinstance(child.iter, ast.Name):
            if not getattr(child, "is_async", False):  # 'async for' is the async way to iterate
                iterated.add(child.iter.id)
        elif isinstance(child, (ast.Starred, ast.YieldFrom)) and isinstance(child.value, ast.Name):
            iterated.add(child.value.id)
        elif isinstance(child, ast.Compare):
            iterated.update(
                right.id
                for op, right in zip(child.ops, child.comparators)
                if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, ast.Name)
            )
        elif isinstance(child, ast.Call):
            callee = callee_name(child)
            names = {a.id for a in child.args if isinstance(a, ast.Name)}
            if callee in COROUTINE_CONSUMERS:
                awaited |= names
            names |= {k.value.id for k in child.keywords if isinstance(k.value, ast.Name)}
            if callee in EAGER_CONSUMERS:
                iterated |= names
            elif callee in LAZY_CONSUMERS:
                streamed |= names
        elif isinstance(child, ast.Return) and isinstance(child.value, ast.Name):
            streamed.add(child.value.id)
            returned.add(child.value.id)
        elif isinstance(child, ast.Await) and isinstance(child.value, ast.Name):
            awaited.add(child.value.id)
        elif isinstance(child, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = child.targets if isinstance(child, ast.Assign) else [child.target]
            for target in targets:
                for name in target_names(target):
                    bound[name] = bound.get(name, 0) + 1
        if isinstance(child, (ast.For, ast.AsyncFor)):
            for name in target_names(child.target):
                bound[name] = bound.get(name, 0) + 2
    nested = [n for n in other_frames if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    nested.sort(key=lambda n: (n.lineno, n.col_offset))
    if not isinstance(node, ast.AsyncFunctionDef):
        return FrameUses(iterated, streamed, returned, set(), nested)
    return FrameUses(iterated, streamed, returned, {name for name in awaited if bound.get(name) == 1}, nested)


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    return dotted_name(node) or ""


def _param_names(args: ast.arguments) -> list[str]:
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    if args.vararg:
        names.append(args.vararg.arg)
    if args.kwarg:
        names.append(args.kwarg.arg)
    return names


def target_names(target: ast.expr) -> list[str]:
    """The names an assignment target binds: 'a, *rest = ...' binds a and rest, while
    'row["k"] = ...' and 'self.x = ...' bind nothing (they mutate an object already bound)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in target_names(elt)]
    if isinstance(target, ast.Starred):
        return target_names(target.value)
    return []


class _FrameWalker:
    """Collects what a function's own frame evaluates: calls, property reads, awaits, locals.

    Nested defs, lambdas and class methods are other frames. Their bodies are skipped,
    except lambdas handed to a synchronous higher-order call, which run right here.
    """

    def __init__(
        self,
        index: LineIndex,
        info: FunctionInfo,
        package: str = "",
        fills: dict[str, frozenset[str]] | None = None,
    ) -> None:
        self.index = index
        self.info = info
        self.package = package
        self.fills = fills or {}
        self.conflicting_imports: set[str] = set()
        self.once = 0
        self.stmt_span: Span | None = None
        self.iterated: set[str] = set()
        self.streamed: set[str] = set()
        self.returned: set[str] = set()
        self.awaited_later: set[str] = set()
        self.nested_defs: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = []

    def walk_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.info.local_names.update(self.info.params)
        uses = _frame_uses(node)
        self.iterated, self.streamed, self.returned = uses.iterated, uses.streamed, uses.returned
        self.awaited_later, self.nested_defs = uses.awaited_later, uses.nested
        for position, stmt in enumerate(node.body):
            self._stmt(stmt)
            name = _returns_when_set(stmt)
            rest = node.body[position + 1 :]
            if name is not None and self._keeps(name) and _assigns(rest, name):
                # 'if _client is not None: return _client' then building it: the rest runs once.
                self._run_once(rest)
                break
        for name in self.conflicting_imports:
            del self.info.imports[name]

    def _run_once(self, stmts: list[ast.stmt]) -> None:
        """Walk statements that run only while a kept result is unset: their calls run once."""
        self.once += 1
        for stmt in stmts:
            self._stmt(stmt)
        self.once -= 1

    def _keeps(self, name: str) -> bool:
        """Does a value stored under 'name' outlive the call: a module global the function
        declares, or an attribute of the method's own object (a client, an app: long-lived)."""
        if name.startswith("self."):
            return self.info.class_qualname is not None
        return name in self.info.global_names

    def _genexp(self, node: ast.GeneratorExp, *, consumed: bool, in_lambda: bool = False) -> None:
        if consumed:
            self._expr(node, in_lambda=in_lambda)
            return
        # Only the first iterable is evaluated now; the rest runs when someone iterates.
        self._expr(node.generators[0].iter, in_lambda=in_lambda)

    def _consume(self, value: ast.expr, *, in_lambda: bool = False, returned: bool = False) -> bool:
        """Walk an expression whose value is iterated right here (or, 'returned', handed to
        the caller as the function's result), when it is a call or a slice of one
        ('Item.objects.filter(...)[:50]' is still the lazy result the call made): the call is
        marked so. False, with nothing walked, for anything else."""
        slices: list[ast.expr] = []
        while isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
            slices.append(value.slice)
            value = value.value
        if not isinstance(value, ast.Call):
            return False
        self._call(
            value,
            consumed=not returned,
            returned=returned,
            in_lambda=in_lambda,
            parent_kind="subscript" if slices else None,
        )
        for part in slices:
            self._expr(part, in_lambda=in_lambda)
        return True

    def _deferred(self, name: str) -> bool:
        """A local that is only streamed or returned, never iterated in this frame."""
        return name in self.streamed and name not in self.iterated

    # ---- statements ---------------------------------------------------------------------
    def _stmt(self, stmt: ast.stmt) -> None:
        previous = self.stmt_span
        self.stmt_span = self.index.span(stmt)
        try:
            self._stmt_inner(stmt)
        finally:
            self.stmt_span = previous

    def _stmt_inner(self, stmt: ast.stmt) -> None:
        info = self.info
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            info.local_names.add(stmt.name)
            # Decorators and defaults run now, in this frame; the body runs when called.
            for expr in (*stmt.decorator_list, *stmt.args.defaults, *stmt.args.kw_defaults):
                if expr is not None:
                    self._expr(expr)
            return
        if isinstance(stmt, ast.ClassDef):
            info.local_names.add(stmt.name)
            for expr in (*stmt.decorator_list, *stmt.bases, *(k.value for k in stmt.keywords)):
                self._expr(expr)
            for child in stmt.body:
                if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self._stmt(child)
            return
        if isinstance(stmt, ast.If) and is_type_checking(stmt.test):
            for child in stmt.orelse:
                self._stmt(child)
            return
        if isinstance(stmt, ast.Global):
            info.global_names.update(stmt.names)
            return
        if isinstance(stmt, ast.If) and not stmt.orelse:
            name = _unset_test(stmt.test)
            if name is not None and (
                (self._keeps(name) and _assigns(stmt.body, name))
                or (name not in self.info.local_names and _fills_by_call(stmt.body, name, self.fills))
            ):
                self._expr(stmt.test)
                self._run_once(stmt.body)
                return
        if isinstance(stmt, ast.Nonlocal):
            info.global_names.update(stmt.names)
            return
        if isinstance(stmt, (ast.AsyncFor, ast.AsyncWith)):
            info.has_await = True
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for local, target in _import_bindings(stmt, self.package):
                info.local_names.add(local)
                if info.imports.get(local, target) != target:
                    self.conflicting_imports.add(local)
                info.imports[local] = target
            return
        if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.GeneratorExp):
            self._genexp(stmt.value, consumed=False)
            return
        # What a coroutine returns is awaited, not iterated by its caller.
        if (
            isinstance(stmt, ast.Return)
            and stmt.value is not None
            and not self.info.is_async
            and self._consume(stmt.value, returned=True)
        ):
            return
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                info.local_names.update(target_names(target))
            single = targets[0].id if len(targets) == 1 and isinstance(targets[0], ast.Name) else None
            if single is not None and not isinstance(stmt, ast.AugAssign):
                if isinstance(stmt.value, ast.Call) and single in self.awaited_later:
                    self._call(stmt.value, awaited=True)
                    return
                if single in self.iterated and self._consume(stmt.value):
                    # 'rows = read_rows(p)' then 'for row in rows': the generator runs here.
                    return
                if single in self.returned and not info.is_async and self._consume(stmt.value, returned=True):
                    # 'qs = Item.objects.filter(...)' then 'return qs'.
                    return
                if isinstance(stmt.value, ast.GeneratorExp) and self._deferred(single):
                    self._genexp(stmt.value, consumed=False)
                    return
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            info.local_names.update(target_names(stmt.target))
            if isinstance(stmt, ast.For) and self._consume(stmt.iter):
                for child in (*stmt.body, *stmt.orelse):
                    self._stmt(child)
                return
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    info.local_names.update(target_names(item.optional_vars))
                if isinstance(stmt, ast.With) and isinstance(item.context_expr, ast.Call):
                    self._call(item.context_expr, with_item=True)
                elif isinstance(stmt, ast.With) and isinstance(item.context_expr, (ast.Name, ast.Attribute)):
                    self._expr(item.context_expr)
                    self._enter(item.context_expr)
                else:
                    self._expr(item.context_expr, awaited=isinstance(stmt, ast.AsyncWith))
                if item.optional_vars is not None:
                    self._expr(item.optional_vars)
            for child in stmt.body:
                self._stmt(child)
            return
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                if handler.name:
                    info.local_names.add(handler.name)
        for name, value in ast.iter_fields(stmt):
            if isinstance(value, list):
                for item in value:
                    self._any(item)
            elif isinstance(value, ast.AST):
                self._any(value, async_iter=isinstance(stmt, ast.AsyncFor) and name == "iter")

    def _any(self, node: ast.AST, async_iter: bool = False) -> None:
        if isinstance(node, ast.stmt):
            self._stmt(node)
        elif isinstance(node, ast.expr):
            self._expr(node, awaited=async_iter)
        elif isinstance(node, ast.excepthandler):
            if node.type is not None:
                self._expr(node.type)
            for child in node.body:
                self._stmt(child)
        elif isinstance(node, ast.AST):
            for child in child_nodes(node):
                self._any(child)

    # ---- expressions --------------------------------------------------------------------
    def _expr(
        self,
        node: ast.expr,
        *,
        awaited: bool = False,
        parent_kind: str | None = None,
        in_lambda: bool = False,
        scheduled: bool = False,
    ) -> None:
        if isinstance(node, ast.Await):
            self.info.has_await = True
            self._expr(node.value, awaited=True, in_lambda=in_lambda)
            return
        if isinstance(node, ast.Call):
            self._call(
                node,
                awaited=awaited,
                parent_kind=parent_kind,
                in_lambda=in_lambda,
                scheduled=scheduled,
            )
            return
        if isinstance(node, ast.Lambda):
            # Only reached for lambdas that are stored or passed along: their body runs later.
            for default in (*node.args.defaults, *node.args.kw_defaults):
                if default is not None:
                    self._expr(default, in_lambda=in_lambda)
            return
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            self.info.is_generator = True
        if isinstance(node, ast.NamedExpr):
            self.info.local_names.add(node.target.id)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            for generator in node.generators:
                if generator.is_async:
                    self.info.has_await = True
        if isinstance(node, ast.Attribute):
            if isinstance(node.ctx, ast.Load):
                self._attr_load(node)
            self._expr(node.value, parent_kind="attr", in_lambda=in_lambda)
            return
        if isinstance(node, ast.Subscript):
            self._expr(node.value, parent_kind="subscript", in_lambda=in_lambda)
            self._expr(node.slice, in_lambda=in_lambda)
            return
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            # 'x in rows()' iterates what it is given until it finds x.
            self._expr(node.left, in_lambda=in_lambda)
            for op, comparator in zip(node.ops, node.comparators):
                membership = isinstance(op, (ast.In, ast.NotIn))
                if not membership or not self._consume(comparator, in_lambda=in_lambda):
                    self._expr(comparator, in_lambda=in_lambda)
            return
        for child in child_nodes(node):
            if isinstance(child, ast.expr):
                self._expr(child, in_lambda=in_lambda)
            elif isinstance(child, ast.comprehension):
                if child.is_async or not self._consume(child.iter, in_lambda=in_lambda):
                    self._expr(child.iter, awaited=child.is_async, in_lambda=in_lambda)
                for cond in child.ifs:
                    self._expr(cond, in_lambda=in_lambda)
            elif isinstance(child, ast.keyword):
                self._expr(child.value, in_lambda=in_lambda)

    def _attr_load(self, node: ast.Attribute) -> None:
        end_line = node.end_lineno or node.lineno
        end_col = self.index.char_col(end_line, node.end_col_offset or 0)
        self.info.attr_loads.append(
            AttrLoad(
                span=self.index.span(node),
                name_line=end_line,
                name_col=max(0, end_col - len(node.attr)),
                attr=node.attr,
                stmt_span=self.stmt_span or self.index.span(node),
            )
        )

    def _enter(self, manager: ast.Name | ast.Attribute) -> None:
        """'with lock:' calls type(lock).__enter__: recorded as a call on the object, placed
        on the object's own span."""
        func = ast.Attribute(value=manager, attr="__enter__", ctx=ast.Load())
        call = ast.Call(func=func, args=[], keywords=[])
        ast.copy_location(func, manager)
        ast.copy_location(call, manager)
        span = self.index.span(manager)
        self.info.calls.append(
            CallSite(
                span=span,
                func_span=span,
                name_line=span.end_line,
                name_col=span.end_col,
                dotted=dotted_name(func),
                attr="__enter__",
                receiver=manager,
                node=call,
                stmt_span=self.stmt_span or span,
                entered=True,
            )
        )

    def _call(
        self,
        node: ast.Call,
        *,
        awaited: bool = False,
        parent_kind: str | None = None,
        in_lambda: bool = False,
        with_item: bool = False,
        scheduled: bool = False,
        offload_misuse: str | None = None,
        consumed: bool = False,
        returned: bool = False,
    ) -> None:
        func = node.func
        dotted = dotted_name(func)
        if isinstance(func, ast.Attribute):
            attr = func.attr
            receiver: ast.expr | None = func.value
        elif isinstance(func, ast.Name):
            attr = func.id
            receiver = None
        else:
            attr = ""
            receiver = None
        func_span = self.index.span(func)
        if not attr:
            name_col = func_span.col
        elif func_span.line == func_span.end_line:
            name_col = max(func_span.col, func_span.end_col - len(attr))
        else:
            # '(...)\n    .filter': the name sits at the end of the callee's last line.
            name_col = max(0, func_span.end_col - len(attr))
        site = CallSite(
            span=self.index.span(node),
            func_span=func_span,
            name_line=func_span.end_line,
            name_col=name_col,
            dotted=dotted,
            attr=attr,
            receiver=receiver,
            node=node,
            stmt_span=self.stmt_span or self.index.span(node),
            awaited=awaited,
            offload_misuse=offload_misuse,
            in_lambda=in_lambda,
            parent_kind=parent_kind,
            with_item=with_item,
            scheduled=scheduled,
            consumed=consumed or with_item,
            returned=returned,
            once=self.once > 0,
        )
        # The callee expression itself may evaluate calls: get_client().get(...).
        if isinstance(func, ast.Attribute):
            self._expr(func.value, parent_kind="attr", in_lambda=in_lambda)
        elif not isinstance(func, ast.Name):
            self._expr(func, parent_kind="call", in_lambda=in_lambda)
        offload_index = OFFLOAD_HELPERS.get(attr)
        if attr == "submit" and _names_an_executor(receiver):
            offload_index = 0
        consumer = attr in COROUTINE_CONSUMERS
        higher_order = attr in SYNC_HIGHER_ORDER
        eager = attr in EAGER_CONSUMERS
        lazy = attr in LAZY_CONSUMERS
        for position, arg in enumerate(node.args):
            value = arg.value if isinstance(arg, ast.Starred) else arg
            if isinstance(value, ast.GeneratorExp) and lazy and not isinstance(arg, ast.Starred):
                self._genexp(value, consumed=False, in_lambda=in_lambda)
            elif position == offload_index and isinstance(value, ast.Call) and not _is_partial(value):
                self._call(value, offload_misuse=dotted or attr, in_lambda=in_lambda)
            elif isinstance(value, ast.Lambda) and higher_order:
                self._expr(value.body, in_lambda=True)
            elif isinstance(value, ast.Call) and consumer:
                self._call(value, scheduled=True, in_lambda=in_lambda)
            elif eager and self._consume(value, in_lambda=in_lambda):
                pass
            else:
                self._expr(value, in_lambda=in_lambda)
        for keyword in node.keywords:
            value = keyword.value
            if isinstance(value, ast.Lambda) and higher_order and keyword.arg == "key":
                self._expr(value.body, in_lambda=True)
            elif keyword.arg == "func" and offload_index is not None and isinstance(value, ast.Call):
                self._call(value, offload_misuse=dotted or attr, in_lambda=in_lambda)
            else:
                self._expr(value, in_lambda=in_lambda)
        # Recorded in the order the calls run: the callee's and the arguments' calls first.
        self.info.calls.append(site)


def _names_an_executor(receiver: ast.expr | None) -> bool:
    """'executor.submit(...)', 'self._pool.submit(...)': submit on something named as a
    concurrent.futures executor (the name alone: submit is too common a method name)."""
    name = dotted_name(receiver) if receiver is not None else None
    last = name.rsplit(".", 1)[-1].lower() if name else ""
    return "executor" in last or last.endswith("pool")


def _is_partial(node: ast.Call) -> bool:
    name = dotted_name(node.func)
    return name is not None and name.split(".")[-1] == "partial"


def build_module(path: str, module_name: str, text: str, cache: ChunkCache | None = None) -> ModuleInfo:
    is_package = path.endswith("__init__.py")
    builder = _ModuleBuilder(path, module_name, text, is_package)
    module = builder.build(text, cache)
    module.chunks = builder.chunks
    return module
