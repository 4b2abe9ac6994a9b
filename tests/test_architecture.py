"""The layout rules of DESIGN.md, checked: thin routes, domains talk through services,
every route is either public on purpose or guarded by a role."""

from __future__ import annotations

import ast
from pathlib import Path

from fastapi.routing import APIRoute, APIWebSocketRoute

from wowdesk.app import create_app
from wowdesk.config import Settings

SRC = Path(__file__).resolve().parents[1] / "src" / "wowdesk"
DOMAINS = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()} - {
    "web",
    "i18n",
    "migrations",
}
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


def test_routes_do_not_query_the_database() -> None:
    for api in [*SRC.glob("*/api.py"), *SRC.glob("web/*.py")]:
        bad = {m for m in _imports(api) if m.startswith("sqlalchemy")}
        assert not bad or api.name == "deps.py", f"{api} imports {bad}"


# Another domain's models may be imported only for these names: enums and types used in
# signatures, never to query or write that domain's tables.
# Value vocabularies (enums) and the acting user are shared; tables are not.
SHARED_NAMES = {
    "wowdesk.operators.models": {"Role", "User", "OperatorStatus", "OperatorState", "Skill"},
    "wowdesk.conversations.models": {"Status", "AuthorKind", "Conversation"},
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


def test_every_route_is_public_on_purpose_or_role_guarded(tmp_path: Path) -> None:
    app = create_app(Settings(var_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/x.db"))
    for route in app.routes:
        if isinstance(route, APIWebSocketRoute):
            assert route.path in SOCKETS_AUTHENTICATED_INSIDE
        if not isinstance(route, APIRoute) or route.path in PUBLIC or route.path == "/login":
            continue
        roles = [getattr(d.call, "wowdesk_role", None) for d in route.dependant.dependencies]
        assert any(roles), f"{route.path} has no role guard"


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
