"""The query page (`/query`) and the JSON API it runs on (`/api/...`).

The page is one static file (`static/query.html`, its CSS and plain JS inline: nothing comes
from another host) with the saved queries embedded as JSON data; its script builds every
element with DOM text, never HTML. A Content-Security-Policy that admits only that script and
style, by hash, backs this up.

The API answers as `kg query --format json` does, with parameters bound as RDF terms by
`kg.query.run_query`, never pasted into the text:

- `GET /api/saved`: the saved queries, their descriptions, parameters and text;
- `GET /api/saved/<name>?param=value`: run a saved query;
- `POST /api/query` with `{"query": "...", "params": {"name": "value"}}`: run any query.

A run answers `{"variables": [...], "rows": [[...]], "truncated": bool}` (at most the server's
row cap, `truncated` when cut), or `{"error": "..."}` with the status of the SPARQL endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from kg.query import SavedQuery, Value, run_query, saved_queries
from kg.serve.isolation import Work, Writer
from kg.serve.service import COMMON_HEADERS, Refused, Service, read_body

DATA_SLOT = "{{KG_DATA}}"
PAGE = "static/query.html"


def render_page(label: str) -> tuple[str, str]:
    """The query page with the saved queries in it, and the Content-Security-Policy that
    allows exactly its inline script and style."""
    template = resources.files("kg.serve").joinpath(PAGE).read_text("utf-8")
    data = {"graph": label, "queries": [_describe(q) for q in saved_queries().values()]}
    # JSON inside <script>: no "<" may close the element early, whatever a text holds.
    embedded = (json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
                .replace(">", "\\u003e").replace("&", "\\u0026"))
    policy = "; ".join([
        "default-src 'none'",
        f"script-src {_hashes(template, 'script')}",
        f"style-src {_hashes(template, 'style')}",
        "connect-src 'self'", "img-src 'self' data:", "base-uri 'none'", "form-action 'none'",
        "frame-ancestors 'none'",
    ])
    return template.replace(DATA_SLOT, embedded), policy


def _hashes(template: str, element: str) -> str:
    """CSP sources of the inline `<element>` blocks without attributes (not the JSON data)."""
    blocks = re.findall(rf"<{element}>(.*?)</{element}>", template, re.DOTALL)
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'"
        for b in blocks)


def _describe(saved: SavedQuery) -> dict[str, Any]:
    return {"name": saved.name, "description": saved.description, "text": saved.text,
            "parameters": [{"name": p.name, "description": p.description,
                            "default": p.default} for p in saved.parameters]}


async def page(request: Request) -> Response:
    html, policy = request.app.state.page
    return HTMLResponse(html, headers={**COMMON_HEADERS, "Content-Security-Policy": policy})


async def list_saved(request: Request) -> Response:
    return JSONResponse([_describe(q) for q in saved_queries().values()],
                        headers=COMMON_HEADERS)


async def run_saved(request: Request) -> Response:
    name = request.path_params["name"]
    saved = saved_queries().get(name)
    if saved is None:
        return _error(404, f"no saved query {name!r}; GET /api/saved lists them")
    fields = parse_qs(request.url.query, keep_blank_values=True)
    repeated = sorted(key for key, values in fields.items() if len(values) > 1)
    if repeated:
        return _error(400, f"parameter {', '.join(repeated)} given more than once")
    return await _run(request.app.state.service, saved.text,
                      {key: values[0] for key, values in fields.items()})


async def run_posted(request: Request) -> Response:
    try:
        payload = json.loads(await read_body(request))
    except Refused as refused:
        return _error(refused.status, str(refused))
    except (json.JSONDecodeError, UnicodeDecodeError):
        payload = None
    query = payload.get("query") if isinstance(payload, dict) else None
    params = payload.get("params", {}) if isinstance(payload, dict) else None
    if not (isinstance(query, str) and isinstance(params, dict)
            and all(isinstance(v, str) for v in params.values())):
        return _error(400, 'send JSON: {"query": "SPARQL text", "params": {"name": "value"}}')
    return await _run(request.app.state.service, query, params)


async def _run(service: Service, text: str, params: dict[str, str]) -> Response:
    reply = await service.run(_rows(service.store, text, params, service.max_rows))
    if reply.status != 200:
        return _error(reply.status, reply.body.decode(errors="replace").strip())
    return Response(reply.body, headers=COMMON_HEADERS, media_type=reply.media_type)


def _rows(store: ox.Store, text: str, params: dict[str, str], max_rows: int) -> Work:
    """The child's work: `kg query`'s run, as JSON."""

    def work() -> tuple[int, str, Writer]:
        result = run_query(store, text, params, max_rows=max_rows)
        answer = {"variables": result.variables,
                  "rows": [[_json_value(v) for v in row] for row in result.rows],
                  "truncated": result.truncated}
        body = json.dumps(answer, ensure_ascii=False).encode()
        return 200, "application/json", lambda out: out.write(body)

    return work


def _json_value(value: Value) -> Value:
    """JSON has no NaN or infinity: such a double is shown as its text."""
    return str(value) if isinstance(value, float) and not math.isfinite(value) else value


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status, headers=COMMON_HEADERS)


routes = [
    Route("/query", page),
    Route("/api/saved", list_saved),
    Route("/api/saved/{name}", run_saved),
    Route("/api/query", run_posted, methods=["POST"]),
]
