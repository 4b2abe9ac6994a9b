"""The layout rules of DESIGN.md, checked: domains in layers with no import going upward and
no import loop, thin routes, domains talk through services, every route is either public on
purpose or guarded by a role."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import BaseRoute

from wowdesk.app import create_app
from wowdesk.config import Settings

SRC = Path(__file__).resolve().parents[1] / "src" / "wowdesk"
# lowest first: a module imports only from its own domain, the kernel, and the layers before it
LAYERS = [
    "kernel",
    "nlp",
    "operators",
    "customers",
    "conversations",
    "kb",
    "bot",
    "routing",
    "assist",
    "safety",
    "quality",
    "training",
    "analytics",
    "workforce",
    "channels",
    "privacy",
    "top",
]
KERNEL = {
    "config",
    "db",
    "errors",
    "events",
    "i18n",
    "security",
    "mail",
    "http",
    "migrate",
    "telemetry",
    "logformat",
    "heap",
}
# what puts the domains together: the app, its background jobs, pages, the CLI and the demo
TOP = {"app", "jobs", "web", "cli", "demo", "migrations", "backup"}
PACKAGES = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
DOMAINS = PACKAGES - TOP - KERNEL - {"nlp"}
PUBLIC = {
    "/",
    "/login",
    "/chat",
    "/widget.js",
    "/favicon.ico",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/openapi.json",
    "/api/v1/chat/conversations",
    "/api/v1/chat/conversations/{conversation_id}",
    "/api/v1/chat/conversations/{conversation_id}/messages",
    "/api/v1/chat/conversations/{conversation_id}/csat",
    "/api/v1/chat/conversations/{conversation_id}/place",
    "/api/v1/chat/conversations/{conversation_id}/alternative",
    "/api/v1/telegram/webhook",  # Telegram's servers, authenticated by the secret header
    "/help/{article_id}",  # a published article, linked from the bot's answers to customers
    "/vendor/plotly.min.js",  # a static script
    # for load balancers and Prometheus: /metrics checks its token or loopback inside
    "/healthz",
    "/readyz",
    "/metrics",
}
SOCKETS_AUTHENTICATED_INSIDE = {"/ws/chat", "/ws/console"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def _layer(part: str) -> int:
    if part in KERNEL or part == "__init__":
        return 0
    if part in TOP:
        return len(LAYERS) - 1
    return LAYERS.index(part)


def _wowdesk_imports(path: Path) -> Iterator[tuple[str, int]]:
    """The top-level part (domain, kernel module) of every `wowdesk` import, with its line."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "wowdesk":
                yield from ((a.name, node.lineno) for a in node.names if a.name != "__version__")
            elif node.module.startswith("wowdesk."):
                yield node.module.split(".")[1], node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("wowdesk."):
                    yield alias.name.split(".")[1], node.lineno


def test_every_package_has_a_layer() -> None:
    for part in [*PACKAGES, *(p.stem for p in SRC.glob("*.py"))]:
        assert part in KERNEL | TOP | set(LAYERS) or part == "__init__", f"{part}: add it to LAYERS"


def test_no_domain_imports_a_layer_above_it() -> None:
    upward = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        own = rel.parts[0].removesuffix(".py")
        mine = _layer(own)
        for part, line in _wowdesk_imports(path):
            theirs = _layer(part)
            same_layer_other_domain = (
                theirs == mine and part != own and mine not in (0, len(LAYERS) - 1)
            )
            if theirs > mine or same_layer_other_domain:
                upward.append(f"{rel}:{line} ({own}) imports {part}")
    assert not upward, "imports going up the layers:\n" + "\n".join(upward)


def _module_graph() -> dict[str, set[str]]:
    names = {}
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        dotted = ".".join(("wowdesk", *path.relative_to(SRC).with_suffix("").parts))
        names[dotted.removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {name: set() for name in names}
    for name, path in names.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    if target in names or node.module in names:
                        graph[name].add(target if target in names else node.module)
            elif isinstance(node, ast.Import):
                graph[name].update(a.name for a in node.names if a.name in names)
    return graph


def test_no_module_import_loop() -> None:
    """Layers rule out loops between domains; this also catches loops between two modules of
    one domain (a switch that imports the service that imports the switch)."""
    graph = _module_graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                loop = [*path[path.index(nxt) :], nxt]
                raise AssertionError("import loop: " + " -> ".join(loop))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])


def test_routes_do_not_query_the_database() -> None:
    for api in [*SRC.glob("*/api.py"), *SRC.glob("*/pages.py"), *SRC.glob("web/*.py")]:
        bad = {m for m in _imports(api) if m.startswith("sqlalchemy")}
        assert not bad, f"{api} imports {bad}"


# Another domain's models may be imported only for these names: enums and types used in
# signatures, never to query or write that domain's tables.
# Value vocabularies (enums) and the acting user are shared; tables are not.
SHARED_NAMES = {
    "wowdesk.operators.models": {"Role", "User", "OperatorStatus", "OperatorState", "Skill"},
    "wowdesk.conversations.models": {"Status", "AuthorKind", "Conversation"},
    "wowdesk.bot.models": {"BotSwitch", "BotSwitchChange"},
}


def _model_imports(path: Path) -> list[tuple[str, set[str]]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".models"):
            found.append((node.module, {a.name for a in node.names}))
    return found


def test_domains_do_not_touch_each_others_tables() -> None:
    for domain in DOMAINS:
        for path in (SRC / domain).glob("*.py"):
            for module, names in _model_imports(path):
                if module == f"wowdesk.{domain}.models":
                    continue
                extra = names - SHARED_NAMES.get(module, set())
                assert not extra, f"{path} imports {extra} from {module}: use its service"


def _effective_routes(app: FastAPI) -> Iterator[tuple[str, BaseRoute, Dependant | None]]:
    """Every route with its full path and all its dependencies. FastAPI (0.165) keeps an
    included router as one entry of `app.routes`, so a plain walk over them saw no APIRoute
    at all and this check passed without checking anything."""
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is None:
            yield getattr(route, "path", ""), route, getattr(route, "dependant", None)
            continue
        for context in contexts():
            path = (
                context.path or context.path_format or getattr(context.original_route, "path", "")
            )
            yield path, context.original_route, context.dependant


def test_every_route_is_public_on_purpose_or_role_guarded(tmp_path: Path) -> None:
    app = create_app(Settings(var_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/x.db"))
    checked = 0
    for path, route, dependant in _effective_routes(app):
        if isinstance(route, APIWebSocketRoute):
            assert path in SOCKETS_AUTHENTICATED_INSIDE, path
        if not isinstance(route, APIRoute) or path in PUBLIC or path == "/login":
            continue
        assert dependant is not None, path
        roles = [getattr(d.call, "wowdesk_role", None) for d in dependant.dependencies]
        assert any(roles), f"{path} has no role guard"
        checked += 1
    assert checked > 200, f"only {checked} guarded routes seen: the walk misses routers"


def test_no_coroutine_takes_a_database_session() -> None:
    """A query on the event loop blocks every request while it waits for SQLite's single
    pooled connection, and the request holding that connection needs the loop to finish:
    the server froze for the pool's 60 s timeout. Database work runs in sync functions
    (FastAPI puts them in the thread pool) or through `db.run_unit`."""
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.AsyncFunctionDef):
                continue
            for arg in [*node.args.args, *node.args.kwonlyargs]:
                annotation = ast.unparse(arg.annotation) if arg.annotation else ""
                assert annotation not in {"DbSession", "Session"}, (
                    f"{path}:{node.lineno} {node.name}() takes a database session on the loop"
                )
