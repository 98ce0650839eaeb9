"""Where the event loop runs our code: FastAPI/Starlette routes, dependencies, middleware,
lifespan, startup/shutdown and exception handlers. Found from the syntax of each module plus
the import table; no jedi needed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .model import ModuleInfo, dotted_name
from .walk import walk

HTTP_VERBS = ("get", "post", "put", "patch", "delete", "options", "head", "trace")
_ROUTER_CLASSES = {
    "fastapi.FastAPI",
    "fastapi.applications.FastAPI",
    "fastapi.APIRouter",
    "fastapi.routing.APIRouter",
    "starlette.applications.Starlette",
    "starlette.routing.Router",
}
_ROUTER_NAMES = {name.rsplit(".", 1)[-1] for name in _ROUTER_CLASSES}
_MIDDLEWARE_BASES = ("BaseHTTPMiddleware",)
# Starlette's class-based endpoints: the method named after the request's verb handles it.
_ENDPOINT_VERBS = ("get", "head", "post", "put", "patch", "delete", "options")
_WEBSOCKET_HOOKS = ("on_connect", "on_receive", "on_disconnect")
# A module without any of these cannot declare an entry point: it is not even parsed for them.
ENTRY_MARKERS = (
    "FastAPI",
    "APIRouter",
    "Starlette",
    "Router",
    "Route",
    "Depends",
    "Security",
    "middleware",
    "Middleware",
    "exception_handler",
    "on_event",
    "lifespan",
    "add_event_handler",
    "__call__",
    "websocket",
    "api_route",
    ".get(",
    ".post(",
    ".put(",
    ".patch(",
    ".delete(",
)


@dataclass(frozen=True)
class EntryPoint:
    kind: str  # route, websocket, dependency, middleware, lifespan, startup, shutdown, exception-handler
    label: str  # 'GET /users/{user_id}', 'dependency get_current_user', ...
    path: str
    qualname: str

    @property
    def is_http_route(self) -> bool:
        return self.kind == "route"

    def describe(self) -> str:
        """How a message names the place: 'async route GET /items'."""
        if self.kind == "route":
            return f"async route {self.label}"
        if self.kind == "websocket":
            return f"websocket route {self.label}"
        return self.label


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _methods(call: ast.Call, default: str) -> str:
    node = _keyword(call, "methods")
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        values = [v.upper() for v in (_string(e) for e in node.elts) if v]
        if values:
            return ",".join(values)
    return default


class _ModuleEntryPoints:
    def __init__(self, module: ModuleInfo, resolve_dotted) -> None:  # type: ignore[no-untyped-def]
        self.module = module
        self.resolve = resolve_dotted
        self.found: dict[str, EntryPoint] = {}
        # Endpoint names referenced by add_api_route/Route/Depends... that are defined elsewhere.
        self.references: list[tuple[str, str, str]] = []  # (dotted name, kind, label)
        self.prefixes: dict[str, str] = {}
        self.routers: set[str] = set()
        self._qualnames = {id(info.node): qualname for qualname, info in module.functions.items()}

    def scan(self) -> None:
        tree = self.module.tree
        if tree is None:
            return
        chunks = self.module.chunks
        for stmt in tree.body:
            cached = chunks.reuse("routers", stmt) if chunks is not None else None
            if cached is None:
                before_routers, before_prefixes, before_references = (
                    set(self.routers),
                    dict(self.prefixes),
                    len(self.references),
                )
                self._find_routers(stmt)
                cached = (
                    self.routers - before_routers,
                    {k: v for k, v in self.prefixes.items() if k not in before_prefixes},
                    self.references[before_references:],
                )
                if chunks is not None:
                    chunks.keep("routers", stmt, cached)
            else:
                routers, prefixes, references = cached  # type: ignore[misc]
                self.routers |= routers
                self.prefixes.update(prefixes)
                self.references.extend(references)
        # Statement scans depend on the module's imports and on which names are routers.
        stage = f"entries:{self.module.header_key}:{hash(tuple(sorted(self.prefixes.items())))}"
        for stmt in tree.body:
            cached = chunks.reuse(stage, stmt) if chunks is not None else None
            if cached is None:
                before_found, before_references = dict(self.found), len(self.references)
                self._scan_statement(stmt)
                cached = (
                    {k: v for k, v in self.found.items() if k not in before_found},
                    self.references[before_references:],
                )
                if chunks is not None:
                    chunks.keep(stage, stmt, cached)
            else:
                found, references = cached  # type: ignore[misc]
                for qualname, entry in found.items():
                    self.found.setdefault(qualname, entry)
                self.references.extend(references)

    def _scan_statement(self, stmt: ast.stmt) -> None:
        for node in walk(stmt):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._decorators(node)
            elif isinstance(node, ast.ClassDef):
                self._middleware_class(node)
            elif isinstance(node, ast.Call):
                self._registration(node)

    # ---- which names are routers --------------------------------------------------------
    def _is_router_ctor(self, node: ast.expr) -> bool:
        if not isinstance(node, ast.Call):
            return False
        name = dotted_name(node.func)
        if name is None:
            return False
        full = self.resolve(self.module, name) or name
        return full in _ROUTER_CLASSES or name.rsplit(".", 1)[-1] in _ROUTER_NAMES

    def _find_routers(self, tree: ast.AST) -> None:
        for node in walk(tree):
            targets: list[ast.expr] = []
            value: ast.expr | None = None
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            if value is None or not self._is_router_ctor(value):
                continue
            assert isinstance(value, ast.Call)
            prefix = _string(_keyword(value, "prefix")) or ""
            for target in targets:
                name = dotted_name(target)
                if name:
                    self.routers.add(name)
                    self.prefixes[name] = prefix
            for kind, keyword in (("lifespan", "lifespan"),):
                ref = _keyword(value, keyword)
                name = dotted_name(ref) if ref is not None else None
                if name:
                    self.references.append((name, kind, f"lifespan handler {name}"))
            for kind in ("on_startup", "on_shutdown"):
                handlers = _keyword(value, kind)
                if isinstance(handlers, (ast.List, ast.Tuple)):
                    for element in handlers.elts:
                        name = dotted_name(element)
                        if name:
                            label = kind.split("_", 1)[1]
                            self.references.append((name, label, f"{label} handler {name}"))

    def _looks_like_router(self, receiver: ast.expr, call: ast.Call) -> bool:
        name = dotted_name(receiver)
        if name is not None and name in self.routers:
            return True
        if name is not None:
            full = self.resolve(self.module, name)
            if full is not None and full.rsplit(".", 1)[-1] in {"app", "router", "api", "api_router"}:
                return True
        # Routers imported from elsewhere or made in factories: a path-like first argument.
        path = _string(call.args[0]) if call.args else _string(_keyword(call, "path"))
        return path is not None and (path == "" or path.startswith("/"))

    # ---- decorators ---------------------------------------------------------------------
    def _decorators(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        qualname = self._qualname(node)
        if qualname is None:
            return
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
                continue
            verb = decorator.func.attr
            receiver = decorator.func.value
            receiver_name = dotted_name(receiver) or ""
            prefix = self.prefixes.get(receiver_name, "")
            path = _string(decorator.args[0]) if decorator.args else _string(_keyword(decorator, "path"))
            if verb in HTTP_VERBS and self._looks_like_router(receiver, decorator):
                self._add(qualname, "route", f"{verb.upper()} {prefix}{path or ''}")
            elif verb in ("api_route", "route") and self._looks_like_router(receiver, decorator):
                self._add(qualname, "route", f"{_methods(decorator, 'GET')} {prefix}{path or ''}")
            elif verb in ("websocket", "websocket_route") and self._looks_like_router(receiver, decorator):
                self._add(qualname, "websocket", f"{prefix}{path or ''}")
            elif verb == "middleware" and (_string(decorator.args[0]) if decorator.args else None) == "http":
                self._add(qualname, "middleware", f"HTTP middleware {node.name}")
            elif verb == "exception_handler":
                self._add(qualname, "exception-handler", f"exception handler {node.name}")
            elif verb == "on_event":
                event = _string(decorator.args[0]) if decorator.args else None
                if event in ("startup", "shutdown"):
                    self._add(qualname, event, f"{event} handler {node.name}")

    def _middleware_class(self, node: ast.ClassDef) -> None:
        bases = [dotted_name(b) or "" for b in node.bases]
        is_http_middleware = any(b.rsplit(".", 1)[-1] in _MIDDLEWARE_BASES for b in bases)
        for child in node.body:
            if not isinstance(child, ast.AsyncFunctionDef):
                continue
            qualname = self._qualname(child)
            if qualname is None:
                continue
            if is_http_middleware and child.name == "dispatch":
                self._add(qualname, "middleware", f"middleware {node.name}.dispatch")
            elif child.name == "__call__":
                params = [a.arg for a in child.args.args]
                if params[-3:] == ["scope", "receive", "send"]:
                    self._add(qualname, "middleware", f"ASGI middleware {node.name}")

    # ---- registrations by call ----------------------------------------------------------
    def _registration(self, call: ast.Call) -> None:
        func = call.func
        if (
            isinstance(func, ast.Call)
            and isinstance(func.func, ast.Attribute)
            and func.func.attr == "middleware"
            and call.args
        ):
            # app.middleware("http")(log_requests): the decorator applied by hand.
            endpoint = dotted_name(call.args[0])
            if endpoint and func.args and _string(func.args[0]) == "http":
                self.references.append(
                    (endpoint, "middleware", f"HTTP middleware {endpoint.rsplit('.', 1)[-1]}")
                )
            return
        name = dotted_name(call.func) or ""
        last = name.rsplit(".", 1)[-1]
        args = call.args
        if last in ("add_api_route", "add_route", "Route", "APIRoute") and len(args) >= 2:
            path = _string(args[0]) or ""
            endpoint = dotted_name(args[1])
            if endpoint:
                self.references.append((endpoint, "route", f"{_methods(call, 'GET')} {path}"))
                # Route("/depots", DepotEndpoint): an HTTPEndpoint class, one method per verb.
                for verb in _ENDPOINT_VERBS:
                    self.references.append((f"{endpoint}.{verb}", "route", f"{verb.upper()} {path}"))
        elif last in ("add_websocket_route", "WebSocketRoute", "add_api_websocket_route") and len(args) >= 2:
            endpoint = dotted_name(args[1])
            path = _string(args[0]) or ""
            if endpoint:
                self.references.append((endpoint, "websocket", path))
                for hook in _WEBSOCKET_HOOKS:
                    self.references.append((f"{endpoint}.{hook}", "websocket", path))
        elif last in ("Depends", "Security"):
            target = args[0] if args else _keyword(call, "dependency")
            if isinstance(target, ast.Call):
                # Depends(FeatureGate("beta")): FastAPI calls the instance, so its __call__ runs.
                maker = dotted_name(target.func)
                if maker:
                    label = f"dependency {maker.rsplit('.', 1)[-1]}.__call__"
                    self.references.append((f"{maker}.__call__", "dependency", label))
                return
            endpoint = dotted_name(target) if target is not None else None
            if endpoint:
                self.references.append((endpoint, "dependency", f"dependency {endpoint.rsplit('.', 1)[-1]}"))
        elif last == "add_event_handler" and len(args) >= 2:
            event = _string(args[0])
            endpoint = dotted_name(args[1])
            if endpoint and event in ("startup", "shutdown"):
                self.references.append((endpoint, event, f"{event} handler {endpoint}"))
        elif last == "add_exception_handler" and len(args) >= 2:
            endpoint = dotted_name(args[1])
            if endpoint:
                self.references.append((endpoint, "exception-handler", f"exception handler {endpoint}"))
        elif last in _ROUTER_NAMES:
            lifespan = _keyword(call, "lifespan")
            endpoint = dotted_name(lifespan) if lifespan is not None else None
            if endpoint:
                self.references.append((endpoint, "lifespan", f"lifespan handler {endpoint}"))

    # ---- helpers ------------------------------------------------------------------------
    def _qualname(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
        return self._qualnames.get(id(node))

    def _add(self, qualname: str, kind: str, label: str) -> None:
        self.found.setdefault(qualname, EntryPoint(kind, label, self.module.path, qualname))


def module_entry_points(
    module: ModuleInfo, resolve_dotted
) -> tuple[dict[str, EntryPoint], list[tuple[str, str, str]]]:  # type: ignore[no-untyped-def]
    """Entry points defined by decorators in the module, and names registered by calls
    (endpoints, dependencies, lifespans) still to be resolved to their definitions."""
    scanner = _ModuleEntryPoints(module, resolve_dotted)
    scanner.scan()
    return scanner.found, scanner.references
