"""`/docs`: Swagger UI for the API, served by partnerhub itself from the files the `fastapi-offline` package
installs (Swagger UI 5, which reads OpenAPI 3.1; an offline sandbox has no CDN), under a strict
Content-Security-Policy: no inline script, nothing from elsewhere."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
# Swagger UI sets inline styles on its elements (hence 'unsafe-inline' for styles only); scripts come from here.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>partnerhub API reference</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""


def mount_docs(app: FastAPI) -> None:
    """Serve Swagger UI at /docs with its assets from the installed package (call with docs_url=None)."""
    assets = Path(str(files("fastapi_offline") / "static"))
    app.mount(ASSETS, StaticFiles(directory=assets), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        html = PAGE.format(assets=ASSETS, openapi=openapi_url)
        return HTMLResponse(
            html, headers={"Content-Security-Policy": DOCS_CSP, "X-Frame-Options": "DENY", "Cache-Control": "no-store"}
        )
