"""Behind a reverse proxy, `@odata.nextLink` takes its scheme from X-Forwarded-Proto only when the proxy is one
PARTNERHUB_TRUSTED_PROXIES names (the options `partnerhub serve` gives uvicorn), and never takes a forwarded
host: a real uvicorn server, a request from 127.0.0.1 carrying forwarded headers."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import Engine

from partnerhub.db import transaction
from partnerhub.delegated_admin.gdap import create_admin_relationship
from partnerhub.delegated_admin.roles import USER_ADMINISTRATOR
from tests.conftest import DatabaseFactory
from tests.graph_sdk.conftest import Live, serving

pytestmark = pytest.mark.slow
PATH = "/v1/tenantRelationships/delegatedAdminRelationships"


@pytest.mark.parametrize(("trusted", "scheme"), [("127.0.0.1", "https"), ("", "http")])
def test_only_a_trusted_proxy_sets_the_scheme_of_next_links(
    db_factory: DatabaseFactory, fresh_engine: Engine, tmp_path: Path, trusted: str, scheme: str
) -> None:
    with serving(db_factory.url_of(fresh_engine), tmp_path, trusted_proxies=trusted) as base_url:
        live = Live(base_url, fresh_engine)
        partner, token = live.partner()
        customer_id, _ = live.customer(partner)
        with transaction(fresh_engine) as session:
            for i in range(3):
                create_admin_relationship(
                    session,
                    partner.admin,
                    customer_id=customer_id,
                    display_name=f"Rel {i}",
                    role_ids=[USER_ADMINISTRATOR],
                )
        request = urllib.request.Request(  # noqa: S310 (our own server)
            f"{base_url}{PATH}?$top=2",
            headers={
                "Authorization": f"Bearer {token}",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": "203.0.113.9",
                "X-Forwarded-Host": "evil.example",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (our own server)
            page = json.loads(answer.read())
    host = base_url.split("://", 1)[1]
    assert page["@odata.nextLink"].startswith(f"{scheme}://{host}{PATH}?"), page["@odata.nextLink"]
