"""The web app: pages for monitors, researchers and operators, and the HTTP API, on the database of a
config file. Built by `create_app`, served by uvicorn (crawler/web/server.py)."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from itsdangerous import URLSafeSerializer

from crawler.core.errors import VigilError
from crawler.web import api, views
from crawler.web.actions import Crawls
from crawler.web.auth import Guard, LoginLimiter
from crawler.web.render import environment
from crawler.web.state import WebState
from storage.accounts import secret_key

log = logging.getLogger("vigil.web")
STATIC = Path(__file__).parent / "static"
ROUTERS = (api.router, views.router)   # every route the app has, but the static files
API_DESCRIPTION = (api.__doc__ or "").split("\n\n", 1)[1] if "\n\n" in (api.__doc__ or "") else ""


def _bare_app() -> FastAPI:
    app = FastAPI(title="Vigil", version="1", description=API_DESCRIPTION, openapi_url=None, docs_url=None,
                  redoc_url=None)
    for router in ROUTERS:
        app.include_router(router)
    return app


def openapi_document() -> dict:
    """The OpenAPI description of /api/v1, as the server gives it at /api/v1/openapi.json (and
    docs/api.md shows it), without a config or a database."""
    return _bare_app().openapi()


def create_app(config_path: str | os.PathLike) -> FastAPI:
    """The app for the config at `config_path`; a broken config or database stops here (VigilError)."""
    web = WebState(config_path)
    db = web.db()
    with db.atomic():
        key = secret_key(db)
    app = _bare_app()
    app.state.web = web
    app.state.templates = environment()
    app.state.serializer = URLSafeSerializer(key, salt="vigil-session")
    app.state.limiter = LoginLimiter()
    app.state.crawls = Crawls(web.config_path)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(Guard, web_state=web, serializer=app.state.serializer)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(VigilError)
    async def vigil_error(request: Request, exc: VigilError):
        return _error(request, 400, " ".join(str(exc).split()))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return _error(request, 422, problems)

    return app


def _error(request: Request, status: int, message: str):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status)
    who = request.scope.get("state", {}).get("principal")
    template = request.app.state.templates.get_template("error.html")
    return HTMLResponse(template.render(request=request, who=who, status=status, message=message,
                                        hx_headers="{}", csrf=who.csrf if who else "", path=request.url.path),
                        status)
