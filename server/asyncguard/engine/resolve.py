"""Call -> what it really calls.

The module's import table answers most calls for free ('r.get' after 'import requests as r'
is 'requests.get'); jedi answers the rest (methods on inferred instances, typed parameters,
attributes set in __init__, inherited methods). Every jedi answer is cached per module version.
"""

from __future__ import annotations

import ast
import builtins
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import jedi

from . import jedi_tuning  # noqa: F401 - jedi's settings, before any query
from .budget import Budget, BudgetExceeded
from .catalog import Catalog, Entry, Match, builtin_decorated, builtin_readers
from .environment import EnvironmentChoice, jedi_environment
from .local_types import LocalTypes, unwrapped
from .model import (
    AttrLoad,
    CallSite,
    FunctionInfo,
    ModuleInfo,
    attribute_stores,
    callee_name,
    dotted_name,
    frame_nodes,
    on_self,
)
from .narrowing import narrowed_to_data
from .positions import split_lines
from .project import Project
from .resolution import UNKNOWN, CallKey, FunctionRef, Resolution
from .resolve_names import STDLIB

log = logging.getLogger("asyncguard.resolve")

_BUILTINS = frozenset(dir(builtins))
_SCRIPTS_KEPT = 24

# Receivers of these kinds are async look-alikes sharing method definitions with sync
# clients (redis.asyncio reuses the sync command mixins).
_ASYNC_MARKERS = (".asyncio.", ".aio.", "aioredis", "motor.", "aiofiles")

# jedi re-exports and stubs sometimes name a callable through 'typing' or '_io': normalise.
_NAME_FIXUPS = {"io.open": "builtins.open", "_io.open": "builtins.open"}


# Sync classes whose name says otherwise.
_SYNC_DESPITE_NAME = frozenset({"celery.result.AsyncResult", "multiprocessing.pool.AsyncResult"})


def _is_async_type(full_name: str) -> bool:
    if full_name in _SYNC_DESPITE_NAME:
        return False
    dotted = f".{full_name}."
    if any(marker in dotted for marker in _ASYNC_MARKERS):
        return True
    return full_name.rsplit(".", 1)[-1].startswith("Async")


class Resolver:
    def __init__(
        self,
        project: Project,
        catalog: Catalog,
        environment: EnvironmentChoice | None = None,
        *,
        follow_libraries: bool = False,
        budget: Budget | None = None,
        shared_inference: bool = False,
    ) -> None:
        self.project = project
        self.catalog = catalog
        self.environment = environment
        self.follow_libraries = follow_libraries
        self.budget = budget or Budget()
        self._jedi_env: object | None = None
        self._jedi_project = jedi.Project(
            str(project.root), smart_sys_path=True, load_unsafe_extensions=False
        )
        self._scripts: OrderedDict[str, tuple[str, jedi.Script]] = OrderedDict()
        self.shared_inference = shared_inference
        self._shared_state: object | None = None
        self._trees_loaded: set[str] = set()
        self._canonical: dict[str, object] = {}
        self._calls: dict[CallKey, Resolution] = {}
        self._same_receiver: dict[tuple[str, str, str, str], Resolution] = {}
        self._by_owner: dict[str, Resolution] = {}
        self._pending_owner: str | None = None
        self._cheap = 0
        self._skipped = 0
        self._deps: dict[str, set[str]] = {}
        self.jedi_calls = 0
        self.jedi_failures = 0
        self._failure_logged = False
        self.workspace_names: set[str] = set()
        # Could a workspace function of this name block? (set by the analyzer; without it,
        # any may)
        self.method_may_block: Callable[[str], bool] = lambda name: True
        self.local = LocalTypes(self, catalog)
        self.readers = builtin_readers()
        self.decorated = builtin_decorated()

    # ---- jedi plumbing ------------------------------------------------------------------
    def _environment(self) -> object | None:
        if self._jedi_env is None and self.environment is not None:
            self._jedi_env = jedi_environment(self.environment)
        return self._jedi_env

    def script(self, module: ModuleInfo) -> jedi.Script:
        cached = self._scripts.get(module.path)
        if cached is not None and cached[0] is module.text:
            self._scripts.move_to_end(module.path)
            return cached[1]
        if self._shared_state is not None and module.path not in self._trees_loaded:
            # Once per file: parso's memory cache then holds the tree, and a script made again
            # for the same text finds it there.
            self._trees_loaded.add(module.path)
            self._load_parsed_tree(module.path)
        script = jedi.Script(
            module.text,
            path=module.path,
            project=self._jedi_project,
            environment=self._environment(),
        )
        if self.shared_inference:
            self._share_inference(script)
        self._scripts[module.path] = (module.text, script)
        # Each script holds its own inference state: keep the recent ones, not the project's.
        while len(self._scripts) > _SCRIPTS_KEPT:
            self._scripts.popitem(last=False)
        return script

    def _share_inference(self, script: jedi.Script) -> None:
        """jedi gives every Script its own inference state, so each module infers SQLAlchemy,
        pydantic and FastAPI again from nothing. In a one-shot run no file changes under it, so
        one state (its module and inference caches) serves every module."""
        state = getattr(script, "_inference_state", None)
        if state is None:  # a jedi without the attribute: each script keeps its own
            return
        if self._shared_state is None:
            self._shared_state = state
        else:
            script._inference_state = self._shared_state  # type: ignore[attr-defined]

    def _load_parsed_tree(self, path: str) -> None:
        """A script never reads parso's on-disk cache of parsed modules for its own file (in an
        editor that file is being typed), so a cold run parsed every workspace module again:
        a third of jedi's time. In a one-shot run the file is what is on disk: its tree is
        loaded from that cache (or parsed once and stored there), and the script, handed the
        same text, reuses it. Had the file changed since it was read, parso would see different
        lines and parse the script's text after all."""
        try:
            self._shared_state.parse(  # type: ignore[attr-defined]
                path=Path(path),
                cache=True,
                diff_cache=True,
                cache_path=jedi.settings.cache_directory,
            )
        except Exception as exc:  # noqa: BLE001 - an unreadable file or cache: the script parses
            log.debug("no cached tree for %s: %s", path, exc)

    def _drop_shared_state(self) -> None:
        if self._shared_state is not None:
            self._shared_state = None
            self._scripts.clear()

    def forget(self, path: str) -> None:
        """A module changed: drop what was resolved in it and in modules whose answers
        depended on it. Answers keyed by unchanged functions of the module itself are kept:
        their key includes the function's source."""
        self._scripts.pop(path, None)
        self._drop_shared_state()
        self.local.reset()
        self._same_receiver.clear()
        stale = {p for p, touched in self._deps.items() if path in touched and p != path}
        if stale:
            self._calls = {k: v for k, v in self._calls.items() if k[0] not in stale}
            for other in stale:
                self._deps.pop(other, None)

    def _key(self, module: ModuleInfo, function: FunctionInfo, line: int, col: int, name: str) -> CallKey:
        return (module.path, function.context_key, line - function.anchor_line, col, name)

    def export(self) -> dict[str, list[tuple[CallKey, Resolution]]]:
        """Every answer so far, by module path (for the on-disk cache)."""
        by_path: dict[str, list[tuple[CallKey, Resolution]]] = {}
        for key, resolution in self._calls.items():
            by_path.setdefault(key[0], []).append((key, resolution))
        return by_path

    def dependencies(self, path: str) -> set[str]:
        return set(self._deps.get(path, ()))

    def touched(self) -> set[str]:
        """Every module whose calls were resolved or that a resolution looked into."""
        found = set(self._deps)
        for depends in self._deps.values():
            found.update(depends)
        return found

    def preload(self, entries: list[tuple[CallKey, Resolution]], depends_on: set[str]) -> None:
        for key, resolution in entries:
            self._calls.setdefault(key, resolution)
            self._deps.setdefault(key[0], set()).update(depends_on)

    def _jedi(self, label: str, func, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Run one jedi query under the time budget; failures are isolated to the query."""
        self.jedi_calls += 1
        shared = self._shared_state
        if shared is not None:
            # jedi stops inferring an element after 300 inferences in one state, a guard meant
            # for one script: in a shared state it would trip for good halfway through a run.
            counts = getattr(shared, "inferred_element_counts", None)
            if isinstance(counts, dict):
                counts.clear()
        try:
            return self.budget.run(func, *args, **kwargs)
        except BudgetExceeded:
            self.jedi_failures += 1
            # The query was interrupted mid-inference: never reuse that script's state (its
            # caches may hold placeholders), nor a state every script shares.
            self._scripts.pop(label, None)
            self._drop_shared_state()
            log.info("jedi query timed out (%s); treated as unresolved", label)
            return []
        except RecursionError:
            self.jedi_failures += 1
            self._drop_shared_state()
            return []
        except Exception as exc:  # noqa: BLE001 - jedi raises anything on odd code
            self.jedi_failures += 1
            self._drop_shared_state()
            if not self._failure_logged:
                self._failure_logged = True
                log.warning("jedi failed on %s: %s: %s", label, type(exc).__name__, exc)
            return []

    # ---- public API ---------------------------------------------------------------------
    def resolve_call(self, module: ModuleInfo, function: FunctionInfo, site: CallSite) -> Resolution:
        key = self._key(module, function, site.name_line, site.name_col, site.dotted or site.attr)
        cached = self._calls.get(key)
        if cached is not None:
            return cached
        skipped_before = self._skipped
        with self.project.recording() as touched:
            resolution = self._resolve_call(module, function, site)
            if resolution.kind == "other" and resolution.name in self.readers:
                resolution = self._reader(module, function, site, resolution)
        self._note(module.path, touched)
        if self._skipped == skipped_before:
            self._calls[key] = resolution
        return resolution

    @property
    def resolving_cheaply(self) -> bool:
        return self._cheap > 0

    @contextmanager
    def cheap_only(self) -> Iterator[None]:
        """Resolve without jedi inside the block; what needed jedi is left for later."""
        self._cheap += 1
        try:
            yield
        finally:
            self._cheap -= 1

    def _note(self, path: str, touched: set[str]) -> None:
        touched.discard(path)
        if touched:
            self._deps.setdefault(path, set()).update(touched)

    def _resolve_call(self, module: ModuleInfo, function: FunctionInfo, site: CallSite) -> Resolution:
        if site.dotted is not None:
            cheap = self._from_names(module, function, site.dotted)
            if cheap is not None:
                return cheap
        if not site.attr:
            return UNKNOWN
        if site.receiver is None and site.dotted is not None:
            called = self._instance_call(module, function, site)
            if called is not None:
                return called
        if site.receiver is not None:
            self._pending_owner = None
            inferred = self._from_local_types(module, function, site)
            if inferred is not None:
                return inferred
            owner_method, self._pending_owner = self._pending_owner, None
            worth = self._worth_jedi(site.attr, site.consumed or site.returned) or self._on_sdk_object(
                module, function, site.receiver
            )
            if not worth or self._jedi_cannot_help(module, function, site):
                return Resolution("other", via="prefilter")
            if owner_method is not None:
                resolution = self._from_jedi(module, site, function)
                if resolution.kind != "workspace" and not self._cheap:
                    self._by_owner[owner_method] = resolution
                return resolution
            # 'message.get(...)' ten times in one function: one jedi query, when 'message' is
            # bound once (so it has one type throughout).
            receiver = dotted_name(site.receiver)
            if receiver is not None and self._bound_once(function, receiver):
                root = receiver.split(".")[0]
                # A module-level name ('log.exception', 'Storage.get_file') means the same in
                # every function of the module: one query for the module.
                scope = (
                    function.context_key
                    if module.is_local(function, root) or root in ("self", "cls")
                    else "<module>"
                )
                key = (module.path, scope, receiver, site.attr)
                if key in self._same_receiver:
                    return self._same_receiver[key]
                resolution = self._from_jedi(module, site, function)
                if not self._cheap:
                    self._same_receiver[key] = resolution
                return resolution
        return self._from_jedi(module, site, function)

    def _reader(
        self, module: ModuleInfo, function: FunctionInfo, site: CallSite, resolution: Resolution
    ) -> Resolution:
        """'json.load(fp)' blocks as 'fp.read()' would: on a file, a socket, or not at all."""
        position, keywords = self.readers[resolution.name or ""]
        args = site.node.args
        value: ast.expr | None = None
        if position < len(args) and not any(isinstance(a, ast.Starred) for a in args[: position + 1]):
            value = args[position]
        else:
            value = next((k.value for k in site.node.keywords if k.arg in keywords), None)
        if value is None:
            return resolution
        try:
            source = self.local.of(module, function, value)
        except RecursionError:
            return resolution
        if not source:
            return resolution
        match = self.catalog.match(f"{source}.read")
        if match is None or not match.entry.takes(source):
            return resolution
        return Resolution("catalog", name=resolution.name, match=match, via="local")

    def _bound_once(self, function: FunctionInfo, receiver: str) -> bool:
        root = receiver.split(".")[0]
        if root in ("self", "cls"):
            return True
        return len(self.local.bindings_of(function, root)) <= 1

    def _instance_call(self, module: ModuleInfo, function: FunctionInfo, site: CallSite) -> Resolution | None:
        """Calling an instance runs its class's __call__ ('geocode(address)' with
        'geocode = Geocoder(url)')."""
        try:
            owner = self.local.of(module, function, site.node.func)
        except RecursionError:
            return None
        if owner is None:
            return None
        workspace_class = self.workspace_class(owner)
        if workspace_class is not None:
            method = self._method_in_class(workspace_class[0], workspace_class[1], "__call__", 0)
            if method is not None:
                return Resolution("workspace", name=f"{owner}.__call__", function=method, via="local")
        match = self.catalog.match(f"{owner}.__call__")
        if match is not None:
            return Resolution("catalog", name=f"{owner}.__call__", match=match, via="local")
        return None

    def _from_local_types(
        self, module: ModuleInfo, function: FunctionInfo, site: CallSite
    ) -> Resolution | None:
        assert site.receiver is not None
        try:
            owner = self.local.of(module, function, site.receiver)
        except RecursionError:
            return None
        if owner is None:
            return None
        if _is_async_type(owner):
            return Resolution("other", name=f"{owner}.{site.attr}", via="local")
        candidate = f"{owner}.{site.attr}"
        match = self.catalog.match(candidate)
        if match is not None:
            if not match.entry.takes(owner):
                return None
            return Resolution("catalog", name=_target_name(match, candidate), match=match, via="local")
        workspace_class = self.workspace_class(owner)
        if workspace_class is not None:
            class_module, qualname = workspace_class
            method = self._method_in_class(class_module, qualname, site.attr, 0)
            if method is not None:
                return Resolution("workspace", name=candidate, function=method, via="local")
            if self._library_bases_never_block(class_module, qualname):
                # Inherited from pydantic.BaseModel, Enum, ...: nothing there blocks.
                return Resolution("other", name=candidate, via="local")
            return None
        if owner.startswith("builtins.") or owner.split(".")[0] not in self.catalog.roots:
            # A builtin type, or a class from a package with no blocking calls listed at all.
            return Resolution("other", name=candidate, via="local")
        if owner in self.local.classes and not self._worth_jedi(site.attr, site.consumed or site.returned):
            # A library class the catalog knows, and a method name it lists nowhere. When the
            # name is listed elsewhere, jedi decides: it may be inherited from a listed class.
            return Resolution("other", name=candidate, via="local")
        # jedi's verdict on a library class's method is the same at every call site.
        self._pending_owner = candidate
        return self._by_owner.get(candidate)

    def _library_bases_never_block(self, module: ModuleInfo, class_qualname: str, depth: int = 0) -> bool:
        """Do all the classes this workspace class inherits from outside the workspace come from
        packages with nothing in the catalog?"""
        info = module.classes.get(class_qualname)
        if info is None or depth > 8 or info.opaque_bases:
            return False
        for base in info.bases:
            found = self._workspace_class(module, base)
            if found is not None:
                if not self._library_bases_never_block(found[0], found[1], depth + 1):
                    return False
                continue
            full = self._expand(module, base, 0) or base
            if full.split(".")[0] in self.catalog.roots and full.split(".")[0] != "builtins":
                return False
        return True

    def _jedi_cannot_help(self, module: ModuleInfo, function: FunctionInfo, site: CallSite) -> bool:
        """Receivers jedi cannot type, or could only type as something that never blocks: an
        unannotated parameter, what came out of a JSON-like container or an await, the items
        of a loop over those, and a name every binding of which is such a value or a builtin
        one ('form_data: dict' later rebound to an awaited result)."""
        assert site.receiver is not None
        return self._opaque(module, function, site.receiver, 0) or narrowed_to_data(
            function.node, site.node, site.receiver
        )

    def _opaque(
        self, module: ModuleInfo, function: FunctionInfo, expr: ast.expr, depth: int, items: bool = False
    ) -> bool:
        """'items': the question is about what iterating 'expr' yields, which a builtin
        container's own type says nothing of."""
        if isinstance(expr, ast.Constant):
            return True  # None, a number, a string: the other bindings decide
        if isinstance(expr, (ast.IfExp, ast.BoolOp)):
            branches = [expr.body, expr.orelse] if isinstance(expr, ast.IfExp) else expr.values
            return all(self._opaque(module, function, branch, depth + 1, items) for branch in branches)
        if not items and isinstance(expr, (ast.Dict, ast.List, ast.Set, ast.Tuple, ast.JoinedStr)):
            return True  # a literal's own type is a builtin one
        if items and _empty_container(expr):
            # jedi does not follow '.append()' (dynamic array additions are off): the items
            # of a container that starts empty are unknown to it.
            return True
        if items and isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return self._opaque(module, function, expr.elt, depth + 1)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            # 'prior + output': a concatenation holds what its operands hold.
            return all(
                self._opaque(module, function, side, depth + 1, items) for side in (expr.left, expr.right)
            )
        root = expr
        chain: list[str] = []
        while isinstance(root, _CHAIN):
            if _opaque_value(root):
                # A dict's .get() hands back data; an SDK object's .get() ('collections.get(name)'
                # on a weaviate client) hands back another SDK object, which jedi can type.
                return not self._library_get(module, function, root)
            if isinstance(root, ast.Call) and _wraps_its_argument(root):
                # enumerate(items), list(payload), dict(row or {}), deepcopy(message): as
                # opaque as what they wrap.
                if not isinstance(root.args[0], (*_CHAIN, ast.Name)):
                    return self._opaque(module, function, root.args[0], depth + 1, items)
                root = root.args[0]
                continue
            if isinstance(root, ast.Attribute):
                chain.append(root.attr)
            root = root.func if isinstance(root, ast.Call) else root.value
        if not isinstance(root, ast.Name) or root.id in ("self", "cls") or depth > _OPAQUE_DEPTH:
            return False
        if root.id in function.global_names:
            return False  # also bound elsewhere: this frame's bindings are not all of them
        # With dynamic parameter inference off, jedi knows nothing of an unannotated parameter
        # nor of anything reached from it; nor of what came out of a container or an await;
        # nor of the items of a loop over any of those. A binding's own type speaks for the
        # name itself (or, once annotated, for its items), not for what is reached from it.
        if root is expr:
            reach = "items" if items else "self"
        elif isinstance(expr, ast.Subscript) and expr.value is root and not items:
            reach = "item"
        else:
            reach = "state" if "state" in chain else "chain"
        # 'text = text[start:end]', 'row = row["data"]': a part of the name itself, as opaque
        # as the name's other bindings make it.
        bindings = [
            binding
            for binding in self.local.bindings_of(function, root.id)
            if not (binding[0] == "assign" and _part_of(binding[1], root.id))
        ]
        return bool(bindings) and all(
            self._harmless_binding(module, function, kind, first, depth, reach) for kind, first, _ in bindings
        )

    def _harmless_binding(
        self,
        module: ModuleInfo,
        function: FunctionInfo,
        kind: str,
        first: ast.expr | None,
        depth: int,
        reach: str,
    ) -> bool:
        if kind == "augmented":
            return True  # 'x += ...' keeps x's kind: the other bindings decide
        if kind in ("param", "annotated"):
            if first is None:
                return True
            if reach in ("items", "item"):
                first = _element_annotation(first, iterating=reach == "items")
                if first is None:
                    return False
            annotated = self.local.annotation(module, first)
            # 'Any' tells jedi no more than no annotation at all.
            if annotated == "typing.Any":
                return True
            if reach == "chain":
                # Whatever hangs off a framework's request or response ('request.headers')
                # is the framework's own; what an app keeps on '.state' is not.
                return (
                    annotated is not None
                    and annotated.startswith(_FRAMEWORK_PREFIXES)
                    and annotated.rsplit(".", 1)[-1] in _REQUEST_CLASSES
                )
            return reach != "state" and self._never_blocks(annotated)
        if kind == "unpack":
            return first is not None and self._opaque(module, function, first, depth + 1, items=True)
        if kind not in ("assign", "for") or first is None:
            return False
        if self._opaque(module, function, first, depth + 1, items=kind == "for"):
            return True
        if reach != "self" or kind != "assign":
            return False
        try:
            return self._never_blocks(self.local.of(module, function, first))
        except RecursionError:
            return False

    def _never_blocks(self, type_name: str | None) -> bool:
        """A builtin value, or an object of a library the catalog lists nothing for."""
        if type_name is None or self.workspace_class(type_name) is not None:
            return False
        return type_name.startswith("builtins.") or type_name.split(".")[0] not in self.catalog.roots

    def type_of(self, module: ModuleInfo, function: FunctionInfo) -> Callable[[ast.expr], str | None]:
        """The cheap local type of an expression in this function, or None."""

        def infer(expr: ast.expr) -> str | None:
            try:
                return self.local.of(module, function, expr)
            except RecursionError:
                return None

        return infer

    def origin_of(self, function: FunctionInfo) -> Callable[[ast.expr], ast.Call | None]:
        """The call that made a receiver: itself when it is a call, else the one call its local
        name was bound to ('zf = ZipFile(io.BytesIO(data))', 'with ZipFile(...) as zf')."""

        def origin(expr: ast.expr) -> ast.Call | None:
            if isinstance(expr, ast.Call):
                return expr
            if not isinstance(expr, ast.Name):
                return None
            bindings = self.local.bindings_of(function, expr.id)
            if len(bindings) == 1 and bindings[0][0] in ("assign", "with"):
                value = bindings[0][1]
                return value if isinstance(value, ast.Call) else None
            return None

        return origin

    def _on_sdk_object(self, module: ModuleInfo, function: FunctionInfo, receiver: ast.expr) -> bool:
        """Is the call made on an object that came from a package whose entries cover whole
        classes ('client.files.content(...)' on an openai.OpenAI, 'channel.basic_publish(...)'
        on a channel a pika connection opened)? Only jedi knows the method; its name says
        nothing, as whole-class entries list no names."""
        # A bare name had its local type looked up already, as the receiver itself.
        root = self._package_of(module, function, receiver, typed=not isinstance(receiver, ast.Name))
        return root in self.catalog.wide_roots

    def _library_get(self, module: ModuleInfo, function: FunctionInfo, value: ast.expr) -> bool:
        """Is 'value' a '.get(...)' on an object made by a third-party package the catalog lists
        (a client, not a mapping)?"""
        if not (
            isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "get"
        ):
            return False
        root = self._package_of(module, function, value.func.value)
        return root is not None and root in self.catalog.roots and root not in STDLIB and root != "builtins"

    def _package_of(
        self, module: ModuleInfo, function: FunctionInfo, expr: ast.expr, *, typed: bool = False
    ) -> str | None:
        """The top-level package of what made the name a chain starts from ('openai' for
        'client.files' after 'client = OpenAI()'); 'typed': the name's local type first."""
        base = _base_name(expr)
        if base is None:
            return None
        try:
            owner = (self.local.of(module, function, base) if typed else None) or self._made_by(
                module, function, base.id, 0
            )
        except RecursionError:
            return None
        return owner.split(".")[0] if owner else None

    def _made_by(self, module: ModuleInfo, function: FunctionInfo, name: str, depth: int) -> str | None:
        """What a name bound once was made by or annotated with, through the import table and
        through the names it was made from ('pika.BlockingConnection.channel' for 'channel =
        connection.channel()' after 'connection = pika.BlockingConnection(...)'). SDK clients
        are classes no table of ours lists."""
        bound = self._single_binding(module, function, name) if depth <= 4 else None
        if bound is None:
            return None
        frame, _, value, annotation = bound
        node = annotation if annotation is not None else value
        while isinstance(node, (ast.Call, ast.Attribute)) and not (
            isinstance(node, ast.Attribute) and dotted_name(node) is not None
        ):
            node = node.func if isinstance(node, ast.Call) else node.value
        dotted = dotted_name(node) if isinstance(node, ast.expr) else None
        if dotted is None:
            return None
        root, _, rest = dotted.partition(".")
        scope = frame or function
        if root != name and (module.binding_frame(scope, root) is not None or root in module.module_assigns):
            made = self._made_by(module, scope, root, depth + 1)
            return f"{made}.{rest}" if made and rest else made
        return self.resolve_dotted(module, dotted)

    def _worth_jedi(self, attr: str, iterated: bool = True) -> bool:
        if self.catalog.may_match_method(attr, iterated) or attr == "__call__":
            return True
        return attr in self.workspace_names and self.method_may_block(attr)

    def resolve_attribute(self, module: ModuleInfo, function: FunctionInfo, load: AttrLoad) -> Resolution:
        """A property read ('self.settings', 'user.avatar_bytes'): the getter it runs, if any."""
        key = self._key(module, function, load.name_line, load.name_col, "." + load.attr)
        cached = self._calls.get(key)
        if cached is not None:
            return cached
        resolution = UNKNOWN
        if function.class_qualname and load.span.line == load.name_line:
            receiver = module.index.slice(load.span)[: -len(load.attr) - 1].strip()
            if receiver in ("self", "cls"):
                ref = self._method_in_class(module, function.class_qualname, load.attr, 0)
                if ref is not None:
                    resolution = self._property(ref)
                    self._calls[key] = resolution
                    return resolution
        try:
            script = self.script(module)
        except Exception:  # noqa: BLE001 - a file jedi cannot read is unresolved, not fatal
            return UNKNOWN
        for name in self._jedi(module.path, script.goto, load.name_line, load.name_col, follow_imports=True):
            found = self._from_definition(name, via="jedi")
            if found is not None and found.kind == "workspace" and found.function is not None:
                resolution = self._property(found.function)
            break
        self._calls[key] = resolution
        return resolution

    def _property(self, ref: FunctionRef) -> Resolution:
        module = self.project.module(Path(ref.path))
        function = module.functions.get(ref.qualname) if module else None
        if module is None or function is None or function.kind != "property":
            return Resolution("other")
        return Resolution("workspace", name=f"{module.module_name}.{ref.qualname}", function=ref)

    def resolve_dotted(self, module: ModuleInfo, dotted: str) -> str | None:
        """Module-level meaning of a dotted name through imports and aliases, or None."""
        return self._expand(module, dotted, depth=0)

    # ---- the import table ---------------------------------------------------------------
    def _from_names(self, module: ModuleInfo, function: FunctionInfo, dotted: str) -> Resolution | None:
        root, _, rest = dotted.partition(".")
        local = self._local_function(module, function, root)
        if local is not None:
            if rest:
                return None
            return Resolution(
                "workspace", name=f"{module.module_name}.{local}", function=FunctionRef(module.path, local)
            )
        if root in ("self", "cls") and function.class_qualname and rest and "." not in rest:
            method = self._method_in_class(module, function.class_qualname, rest, depth=0)
            if method is not None:
                return Resolution(
                    "workspace", name=f"{module.module_name}.{method.qualname}", function=method
                )
            return self._stored_callable(module, function.class_qualname, rest)
        if module.is_local(function, root):
            target = self._imported_here(module, function, root)
            if target is None:
                return None
            full = f"{target}.{rest}" if rest else target
        else:
            full = self._expand(module, dotted, depth=0)
        if full is None:
            return None
        resolution = self.classify(full, via="imports")
        return None if resolution is UNKNOWN else resolution

    def _imported_here(self, module: ModuleInfo, function: FunctionInfo, name: str) -> str | None:
        """What an import inside the function (or a function around it) binds 'name' to, when
        that frame binds it in no other way ('import json' inside a handler)."""
        frame = module.binding_frame(function, name)
        if frame is None:
            return None
        target = frame.imports.get(name)
        if target is None or self.local.bindings_of(frame, name):
            return None
        return target

    def _stored_callable(self, module: ModuleInfo, class_qualname: str, attr: str) -> Resolution | None:
        """'self.send(...)' where __init__ did 'self.send = send' with 'send=send_mail' as the
        parameter's default, or 'self.fetch = requests.get': the function stored there, when
        every assignment stores the same one."""
        info = module.classes.get(class_qualname)
        init = module.functions.get(info.methods.get("__init__", "")) if info is not None else None
        if init is None:
            return None
        found: set[str] = set()
        defaults = _parameter_defaults(init.node)
        for node, target in attribute_stores(frame_nodes(init.node.body), attr):
            if not isinstance(node, ast.Assign) or len(node.targets) != 1 or not on_self(target):
                continue
            values = node.value.values if isinstance(node.value, ast.BoolOp) else [node.value]
            for value in values:
                if isinstance(value, ast.Name) and value.id in defaults:
                    value = defaults[value.id]
                dotted = dotted_name(value)
                if dotted is None or module.is_local(init, dotted.split(".")[0]):
                    continue
                full = self._expand(module, dotted, depth=0)
                if full is not None:
                    found.add(full)
        if len(found) != 1:
            return None
        resolution = self.classify(found.pop(), via="imports")
        return None if resolution is UNKNOWN or resolution.constructs else resolution

    def _local_function(self, module: ModuleInfo, function: FunctionInfo, name: str) -> str | None:
        current: FunctionInfo | None = function
        while current is not None:
            if name in current.nested:
                return current.nested[name]
            if name in current.local_names and name not in current.global_names:
                return None
            current = module.functions.get(current.parent) if current.parent else None
        return None

    def _expand(self, module: ModuleInfo, dotted: str, depth: int) -> str | None:
        if depth > 6:
            return None
        root, _, rest = dotted.partition(".")
        if root in module.ambiguous:
            return None
        if root in module.imports:
            base = module.imports[root]
        elif root in module.aliases:
            base = self._expand(module, module.aliases[root], depth + 1) or ""
            if not base:
                return None
        elif root in module.top_level:
            base = f"{module.module_name}.{root}"
        elif root in _BUILTINS and root not in module.module_assigns:
            base = f"builtins.{root}"
        else:
            return None
        return f"{base}.{rest}" if rest else base

    def _method_in_class(
        self, module: ModuleInfo, class_qualname: str, method: str, depth: int
    ) -> FunctionRef | None:
        info = module.classes.get(class_qualname)
        if info is None or depth > 8:
            return None
        if method in info.methods:
            return FunctionRef(module.path, module.runtime_function(info.methods[method]))
        for base in info.bases:
            target = self._workspace_class(module, base)
            if target is None:
                continue
            base_module, base_class = target
            found = self._method_in_class(base_module, base_class, method, depth + 1)
            if found is not None:
                return found
        return None

    def _workspace_class(self, module: ModuleInfo, dotted: str) -> tuple[ModuleInfo, str] | None:
        if dotted in module.classes:
            return module, dotted
        full = self._expand(module, dotted, depth=0)
        if full is None:
            return None
        found = self._workspace_object(full, depth=0)
        if found is None:
            return None
        target_module, qualname = found
        if qualname in target_module.classes:
            return target_module, qualname
        return None

    def _workspace_object(self, full: str, depth: int) -> tuple[ModuleInfo, str] | None:
        """(module, qualname) for a function or class defined in the workspace."""
        found = self._follow(full, depth)
        return found if isinstance(found, tuple) and len(found) == 2 else None  # type: ignore[return-value]

    def workspace_object(self, full: str) -> tuple[ModuleInfo, str] | None:
        return self._workspace_object(full, 0)

    def workspace_variable(self, full: str) -> tuple[ModuleInfo, str] | None:
        """(module, name) for a module-level variable of the workspace ('app.cache.redis_client')."""
        found = self._follow(full, 0)
        if isinstance(found, tuple) and len(found) == 3 and found[0] == "var":
            return found[1], found[2]
        return None

    def is_workspace_name(self, full: str) -> bool:
        """Does the dotted name start with a module of the workspace?"""
        parts = full.split(".")
        return any(
            self.project.path_for_module(".".join(parts[:cut])) for cut in range(len(parts) - 1, 0, -1)
        )

    def workspace_class(self, full: str) -> tuple[ModuleInfo, str] | None:
        found = self._workspace_object(full, 0)
        if found is not None and found[1] in found[0].classes:
            return found
        return None

    def workspace_class_in(self, module: ModuleInfo, dotted: str) -> tuple[ModuleInfo, str] | None:
        return self._workspace_class(module, dotted)

    def _follow(self, full: str, depth: int) -> tuple[ModuleInfo, str] | str | None:
        """Follow workspace re-exports: (module, qualname) where the name is defined in the
        workspace, the outside dotted name it re-exports, or None when unknown."""
        if depth > 6:
            return None
        parts = full.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module_name = ".".join(parts[:cut])
            path = self.project.path_for_module(module_name)
            if path is None:
                continue
            module = self.project.module(path)
            if module is None:
                return None
            rest = parts[cut:]
            head = rest[0]
            if head in module.top_level:
                qualname = ".".join(rest)
                if qualname in module.functions:
                    return module, module.runtime_function(qualname)
                if qualname in module.classes:
                    return module, qualname
                if len(rest) == 2 and rest[0] in module.classes:
                    ref = self._method_in_class(module, rest[0], rest[1], 0)
                    if ref is not None:
                        target = self.project.module(Path(ref.path))
                        if target is not None:
                            return target, ref.qualname
                if len(rest) == 2 and head in module.functions:
                    # 'send_email.delay(...)' on a function that '@app.task' made a celery Task.
                    kind = self._decorated_kind(module.functions[head])
                    if kind is not None:
                        return f"{kind}.{rest[1]}"
                # An attribute reached through a workspace class ('Base.metadata.create_all').
                return ("attr", module, head)  # type: ignore[return-value]
            if head in module.imports or head in module.aliases:
                expanded = self._expand(module, ".".join(rest), depth + 1)
                if expanded is not None and expanded != full:
                    return self._follow(expanded, depth + 1) or expanded
            if head in module.module_assigns:
                kind = "var" if len(rest) == 1 else "attr"
                return (kind, module, head)  # type: ignore[return-value]
            return None
        return full if depth else None

    def follow_name(self, full: str) -> str | None:
        """The outside dotted name a workspace name stands for, if it is one."""
        followed = self._follow(full, 0)
        return followed if isinstance(followed, str) and followed != full else None

    def _decorated_kind(self, function: FunctionInfo) -> str | None:
        for decorator in function.node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            name = dotted_name(target)
            if name is not None and name.rsplit(".", 1)[-1] in self.decorated:
                return self.decorated[name.rsplit(".", 1)[-1]]
        return None

    def classify(self, full: str, via: str, depth: int = 0) -> Resolution:
        full = _NAME_FIXUPS.get(full, full)
        match = self.catalog.match(full)
        if match is not None:
            return Resolution("catalog", name=_target_name(match, full), match=match, via=via)
        followed = self._follow(full, depth=0)
        if isinstance(followed, str) and followed != full and depth < 6:
            return self.classify(followed, via, depth + 1)
        if isinstance(followed, tuple) and len(followed) == 3:
            # A module-level object of the workspace: what it is, only inference can say.
            return UNKNOWN
        if isinstance(followed, tuple):
            module, qualname = followed
            if qualname in module.classes:
                init = self._method_in_class(module, qualname, "__init__", 0)
                return Resolution("workspace", name=full, function=init, via=via, constructs=True)
            return Resolution("workspace", name=full, function=FunctionRef(module.path, qualname), via=via)
        root = full.split(".")[0]
        if self.follow_libraries and root != "builtins":
            definition = self._definition_of(full)
            if definition is not None:
                library = self._library_function(definition)
                if library is not None:
                    return library
        if root in self.catalog.roots and root not in STDLIB:
            # Third-party packages re-export (requests.post is requests.api.post); the
            # standard library's public names are already what the catalog lists.
            canonical = self.canonical(full)
            if canonical and canonical != full:
                match = self.catalog.match(canonical)
                if match is not None:
                    return Resolution("catalog", name=canonical, match=match, via="jedi")
                return Resolution("other", name=canonical, via=via)
        return Resolution("other", name=full, via=via)

    def canonical(self, dotted: str) -> str | None:
        """The definition-site name of a public dotted name ('requests.post' -> 'requests.api.post')."""
        definition = self._definition_of(dotted)
        return definition.full_name if definition is not None else None

    def _definition_of(self, dotted: str):  # type: ignore[no-untyped-def]
        """jedi's definition of a dotted name, asked once per name."""
        if dotted in self._canonical:
            return self._canonical[dotted]
        if self._cheap:
            # A first publish must not wait for jedi to load a library: what needs its
            # definition-site name is found by the full pass.
            self._skipped += 1
            return None
        code = f"import {dotted.split('.')[0]}\n{dotted}\n"
        result = None
        try:
            script = jedi.Script(code, project=self._jedi_project, environment=self._environment())
        except Exception:  # noqa: BLE001 - jedi raises anything on odd code
            script = None
        if script is not None:
            for name in self._jedi(dotted, script.goto, 2, len(dotted) - 1, follow_imports=True):
                if name.full_name:
                    result = name
                    break
        self._canonical[dotted] = result
        return result

    # ---- jedi ---------------------------------------------------------------------------
    def _from_jedi(self, module: ModuleInfo, site: CallSite, function: FunctionInfo) -> Resolution:
        if self._cheap:
            self._skipped += 1
            return UNKNOWN
        try:
            script = self.script(module)
        except Exception as exc:  # noqa: BLE001 - jedi raises anything on odd code
            log.warning("jedi cannot read %s: %s", module.path, exc)
            return UNKNOWN
        if site.entered:
            # No '__enter__' in the source to point jedi at: ask for the object's type.
            return self._from_receiver_type(module, script, site)
        names = self._jedi(module.path, script.goto, site.name_line, site.name_col, follow_imports=True)
        for name in names:
            resolution = self._from_definition(name, via="jedi")
            if resolution is None:
                continue
            if resolution.kind == "catalog" and site.receiver is not None:
                resolution = self._check_receiver(module, script, site, resolution)
            return resolution
        if site.receiver is not None:
            resolution = self._from_receiver_type(module, script, site)
            if resolution is UNKNOWN:
                resolution = self._from_piped_chain(module, function, site)
            return resolution
        return UNKNOWN

    def _from_piped_chain(self, module: ModuleInfo, function: FunctionInfo, site: CallSite) -> Resolution:
        """'{"context": retriever, ...} | prompt | llm': jedi types a pipe chain led by a dict
        literal as a dict, while at run time the next step's '__ror__' takes the dict in and
        the chain is what the rest of it makes. The rest is asked about at the end of the module
        that defines its steps (a chain built in a function from module-level steps, or at
        module level, here or in the module it is imported from)."""
        found = self._chain_binding(module, function, site.receiver)
        if found is None:
            return UNKNOWN
        home, value, frame = found
        rest = _after_leading_dict(value)
        if rest is None:
            return UNKNOWN
        if frame is not None and any(
            isinstance(node, ast.Name) and home.binding_frame(frame, node.id) is not None
            for node in ast.walk(rest)
        ):
            return UNKNOWN  # a step bound in the function: not a module name where it is asked
        line = f"({ast.unparse(rest)}).{site.attr}"
        code = (home.text if home.text.endswith(("\n", "\r")) else home.text + "\n") + line
        number = len(split_lines(code))
        try:
            script = jedi.Script(
                code + "\n",
                # A sibling file: relative imports still work, and parso's cached tree of the
                # real module is left alone.
                path=str(Path(home.path).with_name("__asyncguard_pipe__.py")),
                project=self._jedi_project,
                environment=self._environment(),
            )
        except Exception:  # noqa: BLE001 - jedi raises anything on odd code
            return UNKNOWN
        if self.shared_inference:
            self._share_inference(script)
        dot = len(line) - len(site.attr) - 1
        for name in self._jedi(home.path, script.goto, number, dot + 1, follow_imports=True):
            resolution = self._from_definition(name, via="jedi")
            if resolution is None:
                continue
            if resolution.kind == "catalog" and resolution.match is not None:
                types = [n.full_name for n in self._jedi(home.path, script.infer, number, dot) if n.full_name]
                if _receiver_rejected(resolution.match.entry, types):
                    return Resolution("other", name=resolution.name, via="jedi")
            return resolution
        return UNKNOWN

    def _single_binding(
        self, module: ModuleInfo, function: FunctionInfo, name: str
    ) -> tuple[FunctionInfo | None, str, ast.expr | None, ast.expr | None] | None:
        """(frame, kind, value, annotation) of a name bound once in the function or one around
        it; else its module-level value and annotation (frame None); None if bound more often."""
        frame = module.binding_frame(function, name)
        if frame is None:
            return None, "assign", module.module_assigns.get(name), module.module_annotations.get(name)
        bindings = self.local.bindings_of(frame, name)
        if len(bindings) != 1:
            return None
        kind, value, annotation = bindings[0]
        return frame, kind, value, annotation

    def _chain_binding(
        self, module: ModuleInfo, function: FunctionInfo, receiver: ast.expr | None
    ) -> tuple[ModuleInfo, ast.expr, FunctionInfo | None] | None:
        """The value a name was bound to once (in the function, in this module, or in the
        module it was imported from), the module it was bound in, and the function if local."""
        if not isinstance(receiver, ast.Name):
            return None
        name = receiver.id
        bound = self._single_binding(module, function, name)
        if bound is not None and bound[2] is not None:
            frame, kind, value, _ = bound
            return (module, value, frame) if kind == "assign" else None
        if name in module.imports:
            target = self.workspace_variable(module.imports[name])
            if target is not None and target[1] in target[0].module_assigns:
                return target[0], target[0].module_assigns[target[1]], None
        return None

    def _from_definition(self, name, via: str) -> Resolution | None:  # type: ignore[no-untyped-def]
        full = name.full_name
        module_path = name.module_path
        if module_path is not None and self.project.contains(module_path):
            return self._workspace_definition(Path(module_path), name, via)
        if not full:
            return None
        if name.type == "class":
            match = self.catalog.match(full)
            if match is not None:
                return Resolution("catalog", name=full, match=match, via=via, constructs=True)
            return Resolution("other", name=full, via=via, constructs=True)
        resolution = self.classify(full, via)
        if resolution.kind == "other" and self.follow_libraries:
            return self._library_function(name) or resolution
        return resolution

    def _library_function(self, name) -> Resolution | None:  # type: ignore[no-untyped-def]
        """With follow-libraries on, a third-party function's own body is followed like ours."""
        path = name.module_path
        if path is None or not str(path).endswith(".py") or name.type != "function":
            return None
        module = self.project.module(Path(path))
        if module is None:
            return None
        for qualname, function in module.functions.items():
            if function.name_span.line == name.line and function.name == name.name:
                ref = FunctionRef(module.path, qualname)
                return Resolution("workspace", name=name.full_name, function=ref, via="library")
        return None

    def _workspace_definition(self, path: Path, name, via: str) -> Resolution | None:  # type: ignore[no-untyped-def]
        module = self.project.module(path)
        if module is None:
            return None
        line = name.line
        if name.type == "class":
            for qualname, info in module.classes.items():
                if info.node.lineno == line:
                    init = self._method_in_class(module, qualname, "__init__", 0)
                    return Resolution(
                        "workspace",
                        name=f"{module.module_name}.{qualname}",
                        function=init,
                        via=via,
                        constructs=True,
                    )
            return Resolution("other", name=name.full_name, via=via)
        for qualname, info in module.functions.items():
            if info.name_span.line == line and info.name == name.name:
                return Resolution(
                    "workspace",
                    name=f"{module.module_name}.{qualname.split('@')[0]}",
                    function=FunctionRef(module.path, qualname),
                    via=via,
                )
        # A name bound to something else (an alias or an instance): its own meaning.
        if name.type == "statement":
            return None
        return Resolution("other", name=name.full_name, via=via)

    def _receiver_types(self, script: jedi.Script, site: CallSite, module: ModuleInfo) -> list[str]:
        receiver = site.receiver
        if receiver is None:
            return []
        end_line = receiver.end_lineno or receiver.lineno
        end_col = module.index.char_col(end_line, receiver.end_col_offset or 0)
        names = self._jedi(module.path, script.infer, end_line, max(0, end_col - 1))
        return [n.full_name for n in names if n.full_name]

    def _check_receiver(
        self, module: ModuleInfo, script: jedi.Script, site: CallSite, resolution: Resolution
    ) -> Resolution:
        entry = resolution.match.entry if resolution.match else None
        if entry is None:
            return resolution
        needs_check = bool(entry.receivers or entry.not_receivers) or _shares_with_async(entry.name)
        if not needs_check:
            return resolution
        if _receiver_rejected(entry, self._receiver_types(script, site, module)):
            return Resolution("other", name=resolution.name, via="jedi")
        return resolution

    def _from_receiver_type(self, module: ModuleInfo, script: jedi.Script, site: CallSite) -> Resolution:
        types = self._receiver_types(script, site, module)
        for type_name in types:
            if _is_async_type(type_name):
                return Resolution("other", name=f"{type_name}.{site.attr}", via="jedi")
            candidate = f"{type_name}.{site.attr}"
            match = self.catalog.match(candidate)
            if match is not None:
                return Resolution("catalog", name=_target_name(match, candidate), match=match, via="jedi")
        return UNKNOWN


def _receiver_rejected(entry: Entry, types: list[str]) -> bool:
    """Do the receiver's inferred types rule the entry out (an async look-alike, a class the
    entry never blocks on, or none of the classes it is limited to)?"""
    if any(_is_async_type(t) or t in entry.not_receivers for t in types):
        return True
    return bool(entry.receivers) and not any(t in entry.receivers for t in types)


def _base_name(expr: ast.expr) -> ast.Name | None:
    """The name an attribute/call/subscript chain starts from ('client' in 'client.a.b()[0]')."""
    while isinstance(expr, (ast.Attribute, ast.Call, ast.Subscript)):
        expr = expr.func if isinstance(expr, ast.Call) else expr.value
    return expr if isinstance(expr, ast.Name) else None


def _after_leading_dict(chain: ast.expr) -> ast.expr | None:
    """'{...} | a | b' -> 'a | b'; None when the chain does not start with a dict literal."""
    if not (isinstance(chain, ast.BinOp) and isinstance(chain.op, ast.BitOr)):
        return None
    if isinstance(chain.left, (ast.Dict, ast.DictComp)):
        return chain.right
    left = _after_leading_dict(chain.left)
    return None if left is None else ast.BinOp(left=left, op=ast.BitOr(), right=chain.right)


def _parameter_defaults(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults) :]], args.defaults))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        if default is not None:
            defaults[arg.arg] = default
    return defaults


_FRAMEWORK_PREFIXES = ("starlette.", "fastapi.")
# Not UploadFile: its '.file' is a spooled file whose reads block.
_REQUEST_CLASSES = frozenset({"Request", "WebSocket", "HTTPConnection"})
_LIST_LIKE = frozenset(
    {
        "list",
        "List",
        "set",
        "Set",
        "frozenset",
        "FrozenSet",
        "Sequence",
        "Iterable",
        "Iterator",
        "tuple",
        "Tuple",
    }
)
_DICT_LIKE = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "defaultdict", "OrderedDict"})


def _element_annotation(node: ast.expr, iterating: bool) -> ast.expr | None:
    """The annotation of an item of an annotated container: 'list[dict]' -> dict; for
    'dict[str, Model]' the key when iterating, the value when indexing."""
    node = unwrapped(node)
    if not isinstance(node, ast.Subscript):
        return None
    head = (dotted_name(node.value) or "").split(".")[-1]
    args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    if head in _LIST_LIKE and args:
        return args[0]
    if head in _DICT_LIKE and len(args) == 2:
        return args[0] if iterating else args[1]
    return None


def _empty_container(node: ast.expr) -> bool:
    if isinstance(node, (ast.List, ast.Set, ast.Tuple)):
        return not node.elts
    if isinstance(node, ast.Dict):
        return not node.keys
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("list", "dict", "set", "tuple")
        and not node.args
        and not node.keywords
    )


_CHAIN = (ast.Attribute, ast.Call, ast.Subscript, ast.Await, ast.Starred)

# Builtins whose result holds the items of their first argument, and copies of it.
_WRAPPING_BUILTINS = frozenset(
    {"enumerate", "list", "tuple", "dict", "reversed", "sorted", "iter", "zip", "deepcopy", "copy"}
)


def _wraps_its_argument(call: ast.Call) -> bool:
    func = call.func
    if not call.args:
        return False
    if isinstance(func, ast.Name):
        return func.id in _WRAPPING_BUILTINS
    return dotted_name(func) in ("copy.deepcopy", "copy.copy")


def _part_of(value: ast.expr | None, name: str) -> bool:
    """A subscript of the name itself: 'name[...]', 'name[...][...]'."""
    if not isinstance(value, ast.Subscript):
        return False
    while isinstance(value, ast.Subscript):
        value = value.value
    return isinstance(value, ast.Name) and value.id == name


_OPAQUE_DEPTH = 6


def _opaque_value(node: ast.expr) -> bool:
    """Values jedi never types usefully: a JSON-like item (data["chat"]), a dict's .get(), the
    result of an awaited (async) call. Nothing reached from them is a blocking call jedi could
    name. (An item under a variable key, futures[job_id], keeps its container's annotation.)"""
    if isinstance(node, ast.Await):
        return True
    if isinstance(node, ast.Subscript):
        key = node.slice
        return isinstance(key, ast.Constant) and isinstance(key.value, str)
    if not isinstance(node, ast.Call):
        return False
    name = callee_name(node)
    return (name == "get" and isinstance(node.func, ast.Attribute)) or name in _DATA_PRODUCERS


# Calls whose result is plain decoded data (dicts, lists, strings): JSON and YAML decoders, a
# response's .json(), a pydantic model's dump, what a mapping's setdefault() keeps.
_DATA_PRODUCERS = frozenset({"loads", "json", "model_dump", "safe_load", "setdefault"})


def _target_name(match: Match, full: str) -> str:
    """Report the definition-site name when the import table saw a public alias of the same
    callable; an alias that names another method of a shared entry is reported as itself."""
    entry = match.entry
    if entry.is_pattern or full.rsplit(".", 1)[-1] != entry.name.rsplit(".", 1)[-1]:
        return full
    return entry.name


def _shares_with_async(name: str) -> bool:
    # redis' command mixins serve both redis.Redis and redis.asyncio.Redis.
    return name.startswith("redis.commands.")
