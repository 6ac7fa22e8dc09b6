"""/docs works offline: Swagger UI's page and assets come from partnerhub itself, under a strict CSP."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from partnerhub.http.app import create_app
from partnerhub.runtime import Runtime
from partnerhub.settings import Settings


def test_docs_load_nothing_from_elsewhere_and_every_asset_is_served_here(tmp_path: Path) -> None:
    runtime = Runtime(Settings(database_url=f"sqlite:///{tmp_path / 'docs.db'}", data_dir=tmp_path, secret_key="test"))
    with TestClient(create_app(runtime, start_worker=False)) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        assert "http://" not in page.text and "https://" not in page.text and "//cdn" not in page.text
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
        assert "<script>" not in page.text  # no inline script: the CSP forbids them
        assets = re.findall(r'(?:src|href)="(/[^"]+)"', page.text)
        assert {"/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css", "/static/docs.js"} <= set(assets)
        for asset in assets:
            answer = client.get(asset)
            assert answer.status_code == 200 and answer.content, asset
        assert 'data-openapi-url="/openapi.json"' in page.text
        assert client.get("/openapi.json").json()["info"]["title"] == "partnerhub"
    runtime.dispose()
