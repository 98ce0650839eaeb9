"""A small, cheap type inference for receivers, from the module models alone.

It answers where jedi cannot (sessionmaker()(), psycopg2.connect(), instances made at module
level in another file) and, being cheap, before jedi where it can. It only ever answers with a
single type agreed by every assignment it sees; otherwise it says nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from functools import lru_cache

from .catalog import Catalog, builtin_returns
from .model import (
    ClassInfo,
    FunctionInfo,
    ModuleInfo,
    attribute_stores,
    dotted_name,
    frame_nodes,
    on_self,
    target_names,
)
from .resolve_names import STDLIB
from .walk import child_nodes, walk

_MAX_DEPTH = 16
_LITERALS: dict[type, str] = {
    ast.Dict: "builtins.dict",
    ast.DictComp: "builtins.dict",
    ast.List: "builtins.list",
    ast.ListComp: "builtins.list",
    ast.Set: "builtins.set",
    ast.SetComp: "builtins.set",
    ast.Tuple: "builtins.tuple",
    ast.JoinedStr: "builtins.str",
}
# Annotations that wrap the type they are about.
_ANNOTATION_WRAPPERS = frozenset({"Optional", "Annotated", "Final", "ClassVar", "Required", "NotRequired"})
# Annotations that say nothing of the type: 'client: Final = make_client()' has the type of its
# value. Taken as a type, they made every receiver so annotated share one jedi answer.
_NO_TYPE = frozenset({"Final", "ClassVar", "Any"})


# Methods that hand back one item of a container: a mapping's value, a sequence's element.
_ITEM_GETTERS = frozenset({"get", "pop", "setdefault"})
_MAPPINGS = frozenset(
    {"dict", "Dict", "Mapping", "MutableMapping", "DefaultDict", "defaultdict", "OrderedDict"}
)
_COLLECTIONS = frozenset(
    {"list", "List", "Sequence", "MutableSequence", "set", "Set", "frozenset", "FrozenSet", "deque", "Deque"}
)


def _item_annotation(annotation: ast.expr, *, iterated: bool) -> ast.expr | None:
    """What a container annotation says one item is: a mapping's value (its key when the
    mapping itself is iterated), a collection's element, a 'tuple[X, ...]' element."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    annotation = unwrapped(annotation)
    if not isinstance(annotation, ast.Subscript):
        return None
    base = (dotted_name(annotation.value) or "").rsplit(".", 1)[-1]
    inner = annotation.slice
    args = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
    if base in _MAPPINGS and len(args) == 2:
        return None if iterated else args[1]
    if base in _COLLECTIONS and len(args) == 1:
        return args[0]
    if (
        base in ("tuple", "Tuple")
        and len(args) == 2
        and isinstance(args[1], ast.Constant)
        and args[1].value is Ellipsis
    ):
        return args[0]
    return None


def _self_attribute_stores(
    module: ModuleInfo, info: ClassInfo, attr: str
) -> Iterator[tuple[ast.Assign | ast.AnnAssign, FunctionInfo | None]]:
    """Where an instance attribute is declared or set: 'attr: T' in the class body (no
    method), then each store to 'self.attr' in the class's methods, with the method."""
    for stmt in info.node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == attr:
            yield stmt, None
    for qualname in info.methods.values():
        method = module.functions.get(qualname)
        if method is None:
            continue
        for stmt, target in attribute_stores(frame_nodes(child_nodes(method.node)), attr):
            if on_self(target):
                yield stmt, method


def unwrapped(annotation: ast.expr) -> ast.expr:
    """The type an annotation is about: 'Optional[Annotated[Session, Depends(db)]]' -> Session."""
    while (
        isinstance(annotation, ast.Subscript)
        and (dotted_name(annotation.value) or "").split(".")[-1] in _ANNOTATION_WRAPPERS
    ):
        inner = annotation.slice
        annotation = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
    return annotation


class LocalTypes:
    def __init__(self, resolver, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
        self.resolver = resolver
        self.returns = builtin_returns()
        self._memo: dict[tuple[int, str], str | None] = {}
        self._module_memo: dict[tuple[int, str], tuple[ModuleInfo, str]] = {}
        # id(bound value) -> (statement line, binding's last line, its block's first and last line)
        self._position_index: dict[int, tuple[FunctionInfo, dict[int, tuple[int, int, int, int]]]] = {}
        self._active: set[tuple[int, str]] = set()
        self._binding_index: dict[
            int, tuple[FunctionInfo, dict[str, list[tuple[str, ast.expr | None, ast.expr | None]]]]
        ] = {}
        self._roots = catalog.roots | {name.split(".")[0] for name in self.returns}
        # Classes the catalog knows methods of: calling one of them makes an instance of it.
        self.classes: set[str] = set(self.returns.values())
        for entry in catalog.entries:
            head = entry.name.rsplit(".", 1)[0]
            if "*" not in head and head.count(".") >= 1:
                self.classes.add(head)

    # ---- entry --------------------------------------------------------------------------
    def of(
        self, module: ModuleInfo, function: FunctionInfo | None, expr: ast.expr, depth: int = 0
    ) -> str | None:
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, ast.Call):
            read = _attribute_read(expr)
            if read is not None:
                return self._attribute(module, function, read, depth + 1)
            return self._call(module, function, expr.func, depth + 1)
        if isinstance(expr, ast.Name):
            return self._name(module, function, expr.id, depth + 1, getattr(expr, "lineno", None))
        if isinstance(expr, ast.Attribute):
            return self._attribute(module, function, expr, depth + 1)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            left = self.of(module, function, expr.left, depth + 1)
            return left if left == "pathlib.Path" else None
        if isinstance(expr, ast.Subscript) and not isinstance(expr.slice, ast.Slice):
            # 'CLIENTS[name]' on 'CLIENTS: dict[str, Session]'.
            return self._item(module, function, expr.value, depth + 1)
        if isinstance(expr, ast.Constant) and isinstance(expr.value, (str, bytes)):
            return f"builtins.{type(expr.value).__name__}"
        if isinstance(expr, (ast.BoolOp, ast.IfExp)):
            return self._alternatives(module, function, expr, depth + 1)
        return _LITERALS.get(type(expr))

    def _alternatives(
        self, module: ModuleInfo, function: FunctionInfo | None, expr: ast.BoolOp | ast.IfExp, depth: int
    ) -> str | None:
        """'client or _s3', 'store if store is not None else Store()': the type the known
        alternatives agree on. An injected default of None or an untyped argument stands for the
        same kind of object as its fallback."""
        if isinstance(expr, ast.BoolOp):
            if not isinstance(expr.op, ast.Or):
                return None
            values = expr.values
        else:
            values = [expr.body, expr.orelse]
        known = {self.of(module, function, value, depth) for value in values} - {None}
        return known.pop() if len(known) == 1 else None

    # ---- names --------------------------------------------------------------------------
    def _name(
        self,
        module: ModuleInfo,
        function: FunctionInfo | None,
        name: str,
        depth: int,
        line: int | None = None,
    ) -> str | None:
        current = function
        while current is not None:
            if name in current.local_names and name not in current.global_names:
                agreed = self._local(module, current, name, depth)
                if agreed is not None or current is not function or line is None:
                    return agreed
                # The bindings disagree; the one that reaches this use may still be known.
                latest = self._reaching(current, name, line)
                return self._agree(module, current, [latest], depth) if latest is not None else None
            current = module.functions.get(current.parent) if current.parent else None
        return self._module_name(module, name, depth)

    def _module_name(self, module: ModuleInfo, name: str, depth: int) -> str | None:
        # Module-level names are typed once: chains across modules ('CACHE_DIR = DATA_DIR /
        # "cache"' over 'DATA_DIR = Path(...)') are long and read everywhere. Only answers are
        # kept: a miss may be the depth cap talking.
        key = (id(module), name)
        known = self._module_memo.get(key)
        if known is not None and known[0] is module:
            return known[1]
        found = self._module_name_uncached(module, name, depth)
        if found is not None:
            self._module_memo[key] = (module, found)
        return found

    def _module_name_uncached(self, module: ModuleInfo, name: str, depth: int) -> str | None:
        if name in module.ambiguous:
            # Assigned in several places (an if/else at module level): the one type all the
            # values agree on. A value built from the name itself ('X = X / "sub"') keeps it.
            values = [v for v in module.module_alternatives.get(name, ()) if name not in _names(v)]
            types = {self.of(module, None, value, depth + 1) for value in values}
            return types.pop() if len(types) == 1 else None
        if name in module.module_assigns and name not in module.imports:
            return self.of(module, None, module.module_assigns[name], depth + 1)
        if name in module.imports:
            full = module.imports[name]
            target = self.resolver.workspace_variable(full)
            if target is not None:
                other, variable = target
                return self._module_name(other, variable, depth + 1)
        return None

    def _local(self, module: ModuleInfo, function: FunctionInfo, name: str, depth: int) -> str | None:
        """The one type every binding of a local name agrees on (memoized per function)."""
        key = (id(function), name)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            return None  # 'x = f(x)': a cycle decides nothing
        self._active.add(key)
        try:
            bindings = self._bindings(function).get(name, ())
            # 'stmt = stmt.filter(...)' says nothing new unless it changes the type: judge the
            # other bindings first, then check those against the type they agree on.
            plain = [b for b in bindings if not _mentions(b, name)]
            recursive = [b for b in bindings if _mentions(b, name)]
            result = self._agree(module, function, plain, depth)
            if result is not None and recursive:
                self._memo[key] = result
                if self._agree(module, function, recursive, depth) != result:
                    result = None
        finally:
            self._active.discard(key)
        self._memo[key] = result
        return result

    def _agree(
        self,
        module: ModuleInfo,
        function: FunctionInfo,
        bindings: list[tuple[str, ast.expr | None, ast.expr | None]],
        depth: int,
    ) -> str | None:
        """The one type all these bindings give, else None."""
        types: set[str | None] = set()
        for kind, first, second in bindings:
            if kind == "param":
                types.add(self.annotation(module, first) if first is not None else None)
            elif kind == "assign":
                types.add(self.of(module, function, first, depth))
            elif kind == "annotated":
                typed = self.annotation(module, first)
                types.add(typed or (self.of(module, function, second, depth) if second is not None else None))
            elif kind == "with":
                types.add(self._entered(module, function, first, depth))
            elif kind == "for" and first is not None:
                types.add(self._iterated(module, function, first, depth))
            else:
                types.add(None)
            if len(types) > 1:
                break
        return types.pop() if len(types) == 1 else None

    def _bindings(
        self, function: FunctionInfo
    ) -> dict[str, list[tuple[str, ast.expr | None, ast.expr | None]]]:
        """Every binding of every local name in the function's frame, found in one walk."""
        cached = self._binding_index.get(id(function))
        if cached is not None and cached[0] is function:
            return cached[1]
        index: dict[str, list[tuple[str, ast.expr | None, ast.expr | None]]] = {}

        def add(name: str, kind: str, first: ast.expr | None = None, second: ast.expr | None = None) -> None:
            index.setdefault(name, []).append((kind, first, second))

        node = function.node
        for param in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
            add(param.arg, "param", param.annotation)
        for stmt in frame_nodes(child_nodes(node)):
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        add(target.id, "assign", stmt.value)
                    elif (
                        isinstance(target, ast.Tuple)
                        and isinstance(stmt.value, ast.Tuple)
                        and len(target.elts) == len(stmt.value.elts)
                    ):
                        # 'output, roots = io.BytesIO(), set()': element by element.
                        for element, value in zip(target.elts, stmt.value.elts):
                            if isinstance(element, ast.Name):
                                add(element.id, "assign", value)
                            else:
                                for name in target_names(element):
                                    add(name, "unpack", value)
                    else:
                        # 'user, token = await login(...)': each name is one item of the value.
                        for name in target_names(target):
                            add(name, "unpack", stmt.value)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                add(stmt.target.id, "annotated", stmt.annotation, stmt.value)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                for item in stmt.items:
                    if isinstance(item.optional_vars, ast.Name):
                        add(item.optional_vars.id, "with", item.context_expr)
                    elif item.optional_vars is not None:
                        for name in target_names(item.optional_vars):
                            add(name, "unknown")
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                # Kept with what is iterated: an item of a JSON payload is as opaque as it.
                for name in target_names(stmt.target):
                    add(name, "for", stmt.iter)
            elif isinstance(stmt, ast.comprehension):
                # '[part.get("text") for part in parts]': scoped to the comprehension, but kept
                # with the frame's own bindings of the name, which it can only make less sure.
                for name in target_names(stmt.target):
                    add(name, "for", stmt.iter)
            elif isinstance(stmt, ast.NamedExpr):
                add(stmt.target.id, "assign", stmt.value)
            elif isinstance(stmt, ast.AugAssign):
                for name in target_names(stmt.target):
                    add(name, "augmented")
        self._binding_index[id(function)] = (function, index)
        return index

    def _reaching(
        self, function: FunctionInfo, name: str, line: int
    ) -> tuple[str, ast.expr | None, ast.expr | None] | None:
        """The one assignment that reaches a use on 'line', when the last one before it sits
        in a block that also holds the use: 'path = await fetch(); path = Path(path)' then
        'path.is_file()'. Nothing in between can rebind it, and a loop around both runs the
        assignment again before every use. Else None: all bindings are judged together."""
        bindings = self._bindings(function).get(name)
        if not bindings or len(bindings) < 2:
            return None
        cached = self._position_index.get(id(function))
        if cached is None or cached[0] is not function:
            # Only names whose bindings disagree get here: computed on first need.
            cached = (function, _positions(function.node))
            self._position_index[id(function)] = cached
        positions = cached[1]
        best: tuple[int, int, int, int] | None = None
        chosen = None
        for binding in bindings:
            kind, first, _ = binding
            if kind not in ("assign", "annotated", "with") or first is None:
                if kind == "param":
                    continue
                # A for target, an augmented assignment, a tuple target: its place is unknown
                # here, so nothing can be said about which binding reaches the use.
                return None
            place = positions.get(id(first))
            if place is None:
                return None
            if place[1] < line and (best is None or place[0] > best[0]):
                best, chosen = place, binding
        if best is None or chosen is None or not best[2] <= line <= best[3]:
            return None
        return chosen

    def bindings_of(
        self, function: FunctionInfo, name: str
    ) -> list[tuple[str, ast.expr | None, ast.expr | None]]:
        return self._bindings(function).get(name, [])

    def reset(self) -> None:
        """Forget inferred types: a module they may depend on changed."""
        self._memo.clear()
        self._module_memo.clear()
        self._binding_index.clear()
        self._position_index.clear()

    def _entered(
        self, module: ModuleInfo, function: FunctionInfo | None, expr: ast.expr, depth: int
    ) -> str | None:
        manager = self.of(module, function, expr, depth)
        if manager is None:
            return None
        return self.returns.get(f"{manager}.__enter__", manager)

    # ---- attributes ---------------------------------------------------------------------
    def _attribute(
        self, module: ModuleInfo, function: FunctionInfo | None, expr: ast.Attribute, depth: int
    ) -> str | None:
        base = expr.value
        if isinstance(base, ast.Attribute) and base.attr == "state" and depth < _MAX_DEPTH:
            return self._app_state(expr.attr, depth)
        if isinstance(base, ast.Name) and base.id in ("self", "cls") and function and function.class_qualname:
            return self._instance_attribute(module, function.class_qualname, expr.attr, depth)
        dotted = dotted_name(expr)
        if dotted is not None:
            full = self.resolver.resolve_dotted(module, dotted)
            if full is not None:
                target = self.resolver.workspace_variable(full)
                if target is not None:
                    return self._module_name(target[0], target[1], depth + 1)
        owner = self.of(module, function, base, depth)
        if owner is None:
            return None
        found = self.resolver.workspace_class(owner)
        if found is not None:
            return self._instance_attribute(found[0], found[1], expr.attr, depth)
        return self.returns.get(f"{owner}.{expr.attr}")

    def _app_state(self, attr: str, depth: int) -> str | None:
        """'request.app.state.s3': what the project stores under that name on an app's state
        (usually in the lifespan: 'app.state.s3 = boto3.client("s3")'), when every store agrees."""

        def stored() -> str | None:
            types: set[str | None] = set()
            project = self.resolver.project
            for path in list(project.files):
                if not project.mentions(path, (f"state.{attr}",)):
                    continue
                module = project.module(path)
                if module is None or module.tree is None:
                    continue
                for function, value in _state_stores(module, attr):
                    types.add(self.of(module, function, value, depth + 1))
            known = types - {None}
            return known.pop() if len(known) == 1 else None

        return self._once((-1, attr), stored)

    def _instance_attribute(
        self, module: ModuleInfo, class_qualname: str, attr: str, depth: int
    ) -> str | None:
        key = (id(module.classes.get(class_qualname)), f".{attr}")
        return self._once(key, lambda: self._instance_attribute_uncached(module, class_qualname, attr, depth))

    def _once(self, key: tuple[int, str], compute: Callable[[], str | None]) -> str | None:
        """Memoized per key; a key asked again while it is being computed (a cycle through
        assignments, stores or returns) decides nothing."""
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            return None
        self._active.add(key)
        try:
            result = compute()
        finally:
            self._active.discard(key)
        self._memo[key] = result
        return result

    def _instance_attribute_uncached(
        self, module: ModuleInfo, class_qualname: str, attr: str, depth: int
    ) -> str | None:
        info = module.classes.get(class_qualname)
        if info is None:
            return None
        types: set[str | None] = set()
        for stmt, method in _self_attribute_stores(module, info, attr):
            if method is None:
                types.add(self.annotation(module, stmt.annotation))  # type: ignore[union-attr]
                continue
            if method.name.startswith("__") and method.name != "__init__":
                continue
            if isinstance(stmt, ast.AnnAssign):
                typed = self.annotation(module, stmt.annotation)
                if typed:
                    types.add(typed)
                    continue
            value = stmt.value
            types.add(self.of(module, method, value, depth) if value is not None else None)
        # 'self.client = None' in __init__ and one real assignment elsewhere is still one type.
        known = types - {None}
        if len(known) == 1:
            return known.pop()
        if not types:
            for base in info.bases:
                found = self.resolver.workspace_class_in(module, base)
                if found is not None:
                    return self._instance_attribute(found[0], found[1], attr, depth + 1)
        return None

    # ---- calls --------------------------------------------------------------------------
    def _call(
        self, module: ModuleInfo, function: FunctionInfo | None, func: ast.expr, depth: int
    ) -> str | None:
        if isinstance(func, ast.Attribute) and func.attr in _ITEM_GETTERS:
            # 'CLIENTS.get(name)': an item of a container whose annotation says what it holds.
            item = self._item(module, function, func.value, depth + 1)
            if item is not None:
                return item
        dotted = dotted_name(func)
        if dotted is not None:
            root = dotted.split(".")[0]
            local = function is not None and module.is_local(function, root)
            if not local:
                full = self.resolver.resolve_dotted(module, dotted)
                if full is not None:
                    typed = self._callee_result(full)
                    if typed is not None:
                        return typed
                    target = self.resolver.workspace_variable(full)
                    if target is not None:
                        instance = self._module_name(target[0], target[1], depth + 1)
                        return self.returns.get(f"{instance}.__call__") if instance else None
                    typed = self._workspace_call(full)
                    if typed is not None:
                        return typed
        if isinstance(func, ast.Attribute):
            owner = self.of(module, function, func.value, depth)
            if owner is not None:
                return self.returns.get(f"{owner}.{func.attr}")
        elif isinstance(func, ast.Name) and function is not None:
            instance = self._name(module, function, func.id, depth)
            if instance is not None:
                return self.returns.get(f"{instance}.__call__")
        return None

    # ---- containers -----------------------------------------------------------------------
    def _item(
        self,
        module: ModuleInfo,
        function: FunctionInfo | None,
        container: ast.expr,
        depth: int,
        *,
        iterated: bool = False,
    ) -> str | None:
        """The type of one item of a container declared with what it holds ('iterated': what
        iterating the container itself gives, a mapping's keys)."""
        declared = self._declared(module, function, container)
        if declared is None:
            return None
        owner, annotation = declared
        item = _item_annotation(annotation, iterated=iterated)
        return self.annotation(owner, item, depth) if item is not None else None

    def _iterated(
        self, module: ModuleInfo, function: FunctionInfo | None, iterable: ast.expr, depth: int
    ) -> str | None:
        """'for s in POOL', 'for s in CLIENTS.values()': the items' type, when declared."""
        values = (
            isinstance(iterable, ast.Call)
            and isinstance(iterable.func, ast.Attribute)
            and iterable.func.attr == "values"
            and not iterable.args
        )
        container = iterable.func.value if values else iterable  # type: ignore[union-attr]
        return self._item(module, function, container, depth, iterated=not values)

    def _declared(
        self, module: ModuleInfo, function: FunctionInfo | None, expr: ast.expr
    ) -> tuple[ModuleInfo, ast.expr] | None:
        """The annotation a name or 'self.attr' is declared with, and the module it is in:
        a parameter, a local or module-level name bound only with that annotation, or an
        attribute annotated in its class or on 'self'."""
        if isinstance(expr, ast.Name):
            frame = module.binding_frame(function, expr.id) if function is not None else None
            if frame is None:
                return self._module_declared(module, expr.id, 0)
            bindings = self.bindings_of(frame, expr.id)
            annotations = {
                ast.dump(first) for kind, first, _ in bindings if kind in ("param", "annotated") and first
            }
            if len(annotations) != 1 or len(bindings) != sum(
                k in ("param", "annotated") for k, _, _ in bindings
            ):
                return None
            first = bindings[0][1]
            return (module, first) if first is not None else None
        if (
            isinstance(expr, ast.Attribute)
            and on_self(expr)
            and function is not None
            and function.class_qualname is not None
        ):
            info = module.classes.get(function.class_qualname)
            if info is None:
                return None
            found = [
                stmt.annotation
                for stmt, _ in _self_attribute_stores(module, info, expr.attr)
                if isinstance(stmt, ast.AnnAssign)
            ]
            if len({ast.dump(a) for a in found}) == 1:
                return module, found[0]
        return None

    def _module_declared(
        self, module: ModuleInfo, name: str, depth: int
    ) -> tuple[ModuleInfo, ast.expr] | None:
        """A module-level name's annotation, also through imports of it from other modules
        ('from app.clients import SESSIONS')."""
        annotation = module.module_annotations.get(name)
        if annotation is not None:
            return module, annotation
        if name in module.imports and depth < _MAX_DEPTH:
            target = self.resolver.workspace_variable(module.imports[name])
            if target is not None:
                return self._module_declared(target[0], target[1], depth + 1)
        return None

    def _callee_result(self, full: str) -> str | None:
        if full in self.returns:
            return self.returns[full]
        followed = self.resolver.follow_name(full)
        if followed is not None and followed in self.returns:
            # A workspace name that stands for a library one ('send_email.apply_async').
            return self.returns[followed]
        canonical = self._canonical(full)
        if canonical in self.returns:
            return self.returns[canonical]
        if canonical in self.classes:
            return canonical
        return None

    def _canonical(self, full: str) -> str:
        """The definition-site name of a library name; workspace names stay as they are."""
        root = full.split(".")[0]
        if root in self._roots and root not in STDLIB:
            return self.resolver.canonical(full) or full
        return full

    def _workspace_call(self, full: str) -> str | None:
        """A workspace function's return annotation, or a workspace class's instance."""
        found = self.resolver.workspace_object(full)
        if found is None:
            return None
        module, qualname = found
        if qualname in module.classes:
            return f"{module.module_name}.{qualname}"
        function = module.functions.get(qualname)
        if function is None:
            return None
        if function.node.returns is not None:
            return self.annotation(module, function.node.returns)
        return self._returned(module, function)

    def _returned(self, module: ModuleInfo, function: FunctionInfo) -> str | None:
        """An unannotated sync function's result: the one type all its returned values agree
        on ('return {"id": ..., "name": ...}' everywhere makes a dict). A generator, a
        coroutine or a function returning nothing says nothing."""
        if function.is_async or function.is_generator:
            return None

        def agreed() -> str | None:
            types: set[str | None] = set()
            for node in frame_nodes(function.node.body):
                if isinstance(node, ast.Return) and node.value is not None:
                    if isinstance(node.value, ast.Constant) and node.value.value is None:
                        continue
                    types.add(self.of(module, function, node.value, 1))
                    if len(types) > 1 or None in types:
                        break
            return types.pop() if len(types) == 1 else None

        return self._once((id(function), "<return>"), agreed)

    # ---- annotations --------------------------------------------------------------------
    def annotation(self, module: ModuleInfo, node: ast.expr | None, depth: int = 0) -> str | None:
        if node is None or depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(node, ast.Subscript):
            inner = unwrapped(node)
            if inner is not node:
                return self.annotation(module, inner, depth + 1)
            return self.annotation(module, node.value, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            left, right = node.left, node.right
            if isinstance(right, ast.Constant) and right.value is None:
                return self.annotation(module, left, depth + 1)
            if isinstance(left, ast.Constant) and left.value is None:
                return self.annotation(module, right, depth + 1)
            return None
        dotted = dotted_name(node)
        if dotted is None or dotted.rsplit(".", 1)[-1] in _NO_TYPE:
            return None
        if (
            dotted in module.module_assigns
            and dotted not in module.imports
            and dotted not in module.top_level
        ):
            # A type alias in this module ('DbDep = Annotated[Session, Depends(get_db)]').
            return self.annotation(module, module.module_assigns[dotted], depth + 1)
        full = self.resolver.resolve_dotted(module, dotted)
        if full is None:
            return None
        found = self.resolver.workspace_object(full)
        if found is not None:
            other, qualname = found
            return f"{other.module_name}.{qualname}" if qualname in other.classes else None
        if full in self.returns and self.returns[full] in self.classes:
            # A class known by one of its public names ('sqlalchemy.orm.Session').
            return self.returns[full]
        alias = self.resolver.workspace_variable(full)
        if alias is not None:
            # A type alias ('SessionDep = Annotated[Session, Depends(get_db)]').
            other, name = alias
            value = other.module_assigns.get(name)
            return self.annotation(other, value, depth + 1) if value is not None else None
        if self.resolver.is_workspace_name(full):
            return None
        return self._canonical(full)


def _state_stores(module: ModuleInfo, attr: str) -> list[tuple[FunctionInfo | None, ast.expr]]:
    """'<anything>.state.<attr> = value' in the module, with the function each sits in."""
    assert module.tree is not None
    return [
        (_enclosing(module, node.lineno), node.value)
        for node, target in _state_stores_in(module.tree).get(attr, ())
        if node.value is not None
    ]


@lru_cache(maxsize=16)
def _state_stores_in(tree: ast.Module) -> dict[str, list[tuple[ast.Assign | ast.AnnAssign, ast.Attribute]]]:
    """Every '<anything>.state.<attr> = value' of a module by attribute: one walk per module
    rather than one per attribute asked about."""
    stores: dict[str, list[tuple[ast.Assign | ast.AnnAssign, ast.Attribute]]] = {}
    for node in walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Attribute)
                    and target.value.attr == "state"
                ):
                    stores.setdefault(target.attr, []).append((node, target))
    return stores


def _enclosing(module: ModuleInfo, line: int) -> FunctionInfo | None:
    """The innermost function whose body holds the line."""
    best: FunctionInfo | None = None
    for function in module.functions.values():
        node = function.node
        if node.lineno <= line <= (node.end_lineno or node.lineno) and (
            best is None or node.lineno >= best.node.lineno
        ):
            best = function
    return best


def _positions(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[int, tuple[int, int, int, int]]:
    """For each value bound by an assignment or a with item in this frame (keyed by the
    value node's id): its statement's line, the line the binding takes effect after, and the
    line range of the statement list that holds the statement."""
    found: dict[int, tuple[int, int, int, int]] = {}
    lists: list[list[ast.stmt]] = [node.body]
    while lists:
        block = lists.pop()
        if not block:
            continue
        first, last = block[0].lineno, block[-1].end_lineno or block[-1].lineno
        for stmt in block:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                place = (stmt.lineno, stmt.end_lineno or stmt.lineno, first, last)
                found[id(stmt.value)] = place
                if isinstance(stmt, ast.AnnAssign):
                    found[id(stmt.annotation)] = place
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                header = max(item.context_expr.end_lineno or stmt.lineno for item in stmt.items)
                for item in stmt.items:
                    found[id(item.context_expr)] = (stmt.lineno, header, first, last)
            for field_name in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, field_name, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    lists.append(inner)
            for handler in getattr(stmt, "handlers", ()) or ():
                lists.append(handler.body)
            for case in getattr(stmt, "cases", ()) or ():
                lists.append(case.body)
    return found


def _mentions(binding: tuple[str, ast.expr | None, ast.expr | None], name: str) -> bool:
    kind, first, second = binding
    values = [v for v in (first, second) if v is not None and kind in ("assign", "with", "annotated")]
    return any(isinstance(n, ast.Name) and n.id == name for v in values for n in walk(v))


def _names(target: ast.AST) -> set[str]:
    return {n.id for n in walk(target) if isinstance(n, ast.Name)}


def _attribute_read(call: ast.Call) -> ast.Attribute | None:
    """'getattr(request.app.state, "http", None)' reads request.app.state.http: typed as that
    attribute (the default says nothing of what is stored, so it is not used)."""
    if not (
        isinstance(call.func, ast.Name)
        and call.func.id == "getattr"
        and len(call.args) in (2, 3)
        and not call.keywords
        and isinstance(call.args[1], ast.Constant)
        and isinstance(call.args[1].value, str)
        and call.args[1].value.isidentifier()
    ):
        return None
    return ast.copy_location(ast.Attribute(value=call.args[0], attr=call.args[1].value, ctx=ast.Load()), call)
