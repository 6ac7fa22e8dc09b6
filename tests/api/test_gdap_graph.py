"""Microsoft Graph's conventions under /v1/tenantRelationships: every failure in Graph's error shape (the
domain's refusals, 401, routing 404/405, 413, 429, 500, in English and Italian), absolute and percent-encoded
`@odata.nextLink`s from the configured public URL or the request, `$count`, and durations written as the Graph
SDK writes a Python `timedelta`. Every other route keeps Partner Center's shape."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from partnerhub.http.app import create_app
from partnerhub.ids import new_id
from partnerhub.runtime import Runtime
from partnerhub.settings import Settings
from tests.api.conftest import Api
from tests.api.test_gdap import BASE, draft
from tests.conftest import AppDatabase

ROOT = "/v1/tenantRelationships"


def graph_error(answer: Response) -> dict[str, Any]:
    """The `error` of a Graph error body, checked for the shape the Graph SDK reads."""
    body = answer.json()
    assert set(body) == {"error"}, answer.text
    error: dict[str, Any] = body["error"]
    assert isinstance(error["code"], str) and error["code"], answer.text
    assert isinstance(error["message"], str) and error["message"], answer.text
    inner = error["innerError"]
    assert isinstance(inner["code"], int) and isinstance(inner["data"], list), answer.text
    assert inner["request-id"] == answer.headers["MS-RequestId"], answer.text
    assert inner["date"].endswith("Z"), answer.text
    assert answer.headers["content-type"].startswith("application/json")
    return error


def test_a_refusal_is_in_graphs_shape_with_partnerhubs_code_inside(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner)
    missing = new_id()
    answer = api.call("GET", f"{BASE}/{missing}", partner.token, headers={"MS-RequestId": "req-404"})
    assert answer.status_code == 404
    error = graph_error(answer)
    assert error["code"] == "itemNotFound" and error["message"] == f"Admin relationship {missing} was not found."
    assert error["innerError"]["code"] == 610 and error["innerError"]["request-id"] == "req-404"

    in_italian = api.call("GET", f"{BASE}/{missing}", partner.token, headers={"X-Locale": "it"})
    assert graph_error(in_italian)["message"] == f"La relazione di amministratore {missing} non è stata trovata."

    bad = api.call("POST", BASE, partner.token, json=draft(customer_id, duration="two years"))
    error = graph_error(bad)
    assert (bad.status_code, error["code"], error["innerError"]["code"]) == (400, "invalidRequest", 900)
    assert error["innerError"]["data"][0]["field"] == "duration"
    forbidden = api.call("GET", BASE, partner.tokens["sales_agent"])
    assert (forbidden.status_code, graph_error(forbidden)["code"]) == (403, "accessDenied")
    rid = api.call("POST", BASE, partner.token, json=draft(customer_id)).json()["id"]
    early = api.call("POST", f"{BASE}/{rid}/requests", customer_token, json={"action": "approve"})
    assert early.status_code == 400 and graph_error(early)["innerError"]["code"] == 800207
    taken = api.call("POST", BASE, partner.token, json=draft(customer_id))
    assert (taken.status_code, graph_error(taken)["code"]) == (409, "conflict")


def test_401_and_the_routers_own_404_and_405_are_in_graphs_shape(api: Api) -> None:
    partner = api.partner()
    unauthenticated = api.call("GET", BASE)
    assert unauthenticated.status_code == 401 and unauthenticated.headers["WWW-Authenticate"] == "Bearer"
    error = graph_error(unauthenticated)
    assert error["code"] == "unauthenticated" and error["innerError"]["code"] == 800120
    wrong_token = api.call("GET", f"{BASE}/{new_id()}", "not-a-token", headers={"X-Locale": "it"})
    assert wrong_token.status_code == 401 and "Accesso" in graph_error(wrong_token)["message"]

    nowhere = api.call("GET", f"{ROOT}/noSuchCollection", partner.token)
    assert nowhere.status_code == 404
    assert graph_error(nowhere)["code"] == "itemNotFound" and graph_error(nowhere)["innerError"]["code"] == 404
    wrong_method = api.call("PUT", BASE, partner.token, json={})
    assert wrong_method.status_code == 405
    assert graph_error(wrong_method)["code"] == "methodNotAllowed"
    assert graph_error(wrong_method)["innerError"]["code"] == 405


def test_413_429_and_500_are_in_graphs_shape_too(make_api: Callable[..., Api]) -> None:
    api = make_api(max_request_bytes=1000, rate_limit_per_minute=3)
    partner = api.partner()
    too_big = api.call("POST", BASE, partner.token, content='{"displayName": "' + "x" * 2000 + '"}')
    assert too_big.status_code == 413
    assert graph_error(too_big)["code"] == "requestTooLarge" and graph_error(too_big)["innerError"]["code"] == 800401

    def explode() -> None:
        raise RuntimeError("secret internals at /srv/partnerhub")

    api.client.app.add_api_route(f"{ROOT}/explode", explode)  # type: ignore[attr-defined]
    failed = api.client.get(f"{ROOT}/explode", headers={"MS-CorrelationId": "corr-500"})
    assert failed.status_code == 500 and "secret" not in failed.text
    error = graph_error(failed)
    assert error["code"] == "generalException" and error["innerError"]["code"] == 800402
    assert "corr-500" in error["message"]

    answers = [api.call("GET", BASE, partner.token) for _ in range(4)]  # the limit is 3 a minute
    assert answers[2].status_code == 200
    assert answers[-1].status_code == 429 and int(answers[-1].headers["Retry-After"]) >= 1
    error = graph_error(answers[-1])
    assert error["code"] == "activityLimitReached" and error["innerError"]["code"] == 429


def test_every_other_route_keeps_partner_centers_shape(api: Api) -> None:
    partner = api.partner()
    missing = api.call("GET", f"/v1/customers/{new_id()}", partner.token)
    assert missing.status_code == 404 and set(missing.json()) == {"code", "description", "data", "source"}
    assert set(api.call("GET", "/v1/customers").json()) == {"code", "description", "data", "source"}
    nowhere = api.call("GET", "/v1/tenantRelationshipsElsewhere", partner.token)
    assert nowhere.status_code == 404 and "error" not in nowhere.json()


def test_a_replayed_refusal_keeps_graphs_shape(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    body = draft(customer_id, duration="P999D")
    first = api.call("POST", BASE, partner.token, json=body, headers={"MS-RequestId": "same-request"})
    again = api.call("POST", BASE, partner.token, json=body, headers={"MS-RequestId": "same-request"})
    assert first.status_code == again.status_code == 400
    assert graph_error(first)["innerError"]["code"] == graph_error(again)["innerError"]["code"] == 800203


def _pages(api: Api, token: str, url: str) -> tuple[list[str], list[str]]:
    """Follow `@odata.nextLink` from `url` to the end: the display names and every next link seen."""
    names: list[str] = []
    links: list[str] = []
    while True:
        page = api.call("GET", url, token)
        assert page.status_code == 200, page.text
        names += [r["displayName"] for r in page.json()["value"]]
        url = page.json().get("@odata.nextLink", "")
        if not url:
            return names, links
        links.append(url)


def test_next_links_are_absolute_from_the_public_url_and_percent_encoded(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    for i in range(5):
        api.call("POST", BASE, partner.token, json=draft(customer_id, f"Rel {i}"))
    query = "$top=2&$filter=status eq 'created'"
    names, links = _pages(api, partner.token, f"{BASE}?{query}")
    assert names == [f"Rel {i}" for i in range(5)] and len(links) == 2
    for link in links:
        parts = urlsplit(link)
        assert (parts.scheme, parts.netloc, parts.path) == ("https", "partnerhub.example", BASE), link
        assert " " not in link and "'" not in link, link
        params = dict(parse_qsl(parts.query))
        assert params["$top"] == "2" and params["$filter"] == "status eq 'created'" and params["$skiptoken"]


@pytest.fixture
def unconfigured_api(app_database: AppDatabase, tmp_path: Path) -> Api:
    """The app with no public URL configured (PARTNERHUB_BASE_URL unset): links come from the request."""
    settings = Settings(database_url=app_database.url, data_dir=tmp_path, secret_key="test")
    runtime = Runtime(settings, bind=app_database.bind)
    client = TestClient(create_app(runtime, start_worker=False), base_url="http://gdap.test:8080")
    return Api(client, app_database.setup, runtime)


def test_without_a_public_url_links_follow_the_request_and_ignore_forwarded_headers(unconfigured_api: Api) -> None:
    api = unconfigured_api
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    for i in range(3):
        api.call("POST", BASE, partner.token, json=draft(customer_id, f"Rel {i}"))
    forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https", "Forwarded": "host=evil.example"}
    page = api.call("GET", f"{BASE}?$top=2", partner.token, headers=forged).json()
    assert page["@odata.nextLink"].startswith(f"http://gdap.test:8080{BASE}?"), page["@odata.nextLink"]
    names, _ = _pages(api, partner.token, f"{BASE}?$top=2")
    assert names == ["Rel 0", "Rel 1", "Rel 2"]


def test_count_as_a_query_option_and_as_a_segment(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner)
    for i in range(3):
        api.call("POST", BASE, partner.token, json=draft(customer_id, f"Rel {i}"))
    counted = api.call("GET", f"{BASE}?$count=true&$top=1", partner.token).json()
    assert counted["@odata.count"] == 3 and len(counted["value"]) == 1
    assert "@odata.count" not in api.call("GET", f"{BASE}?$count=false", partner.token).json()
    assert api.call("GET", f"{BASE}?$count=maybe", partner.token).status_code == 400
    segment = api.call("GET", f"{BASE}/$count", partner.token)
    assert segment.status_code == 200 and segment.text == "3"
    assert segment.headers["content-type"].startswith("text/plain")
    filtered = api.call("GET", f"{BASE}/$count", partner.token, params={"$filter": "status eq 'active'"})
    assert filtered.text == "0"
    assert api.call("GET", f"{BASE}/$count", customer_token).text == "3"
    assert graph_error(api.call("GET", f"{BASE}/$count"))["code"] == "unauthenticated"


def test_unsupported_query_options_are_refused_not_ignored(api: Api) -> None:
    partner = api.partner()
    for option in ({"$orderby": "displayName"}, {"$search": "x"}, {"$expand": "accessAssignments"}, {"$skip": "-1"}):
        answer = api.call("GET", BASE, partner.token, params=option)
        assert answer.status_code == 400 and graph_error(answer)["code"] == "invalidRequest", option


def test_select_and_skip_work_as_in_graph(api: Api) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    for i in range(3):
        api.call("POST", BASE, partner.token, json=draft(customer_id, f"Rel {i}"))
    page = api.call("GET", f"{BASE}?$select=displayName,status&$skip=1", partner.token).json()
    assert [set(r) for r in page["value"]] == [{"@odata.etag", "id", "displayName", "status"}] * 2
    assert [r["displayName"] for r in page["value"]] == ["Rel 1", "Rel 2"]


@pytest.mark.parametrize(
    ("sent", "days"),
    [
        (str(timedelta(days=730)), 730),
        (str(timedelta(days=1)), 1),
        ("P730D", 730),
        ("p90d", 90),
        ("P2W", 14),
        ("PT48H", 2),
        ("P1DT24H", 2),
        ("P1DT0H0M0S", 1),
        (90, 90),
    ],
)
def test_a_duration_is_read_as_the_graph_sdk_writes_a_timedelta(api: Api, sent: object, days: int) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    created = api.call(
        "POST", BASE, partner.token, json=draft(customer_id, duration=sent, autoExtendDuration=str(timedelta(0)))
    )
    assert created.status_code == 201, created.text
    assert created.json()["duration"] == f"P{days}D" and created.json()["autoExtendDuration"] == "PT0S"
    extended = api.call(
        "PATCH", f"{BASE}/{created.json()['id']}", partner.token, json={"autoExtendDuration": str(timedelta(days=180))}
    )
    assert extended.status_code == 200 and extended.json()["autoExtendDuration"] == "P180D"


@pytest.mark.parametrize(
    "sent",
    [
        str(timedelta(days=1, hours=1)),
        str(timedelta(days=-1)),
        str(timedelta(days=2, microseconds=5)),
        "PT1H",
        "P1Y",
        "P1M",
        "two years",
        "P",
        "PT",
        "1 day",
        "P1.5D",
        True,
        1.5,
    ],
)
def test_a_duration_that_is_not_whole_days_is_refused_naming_the_field(api: Api, sent: object) -> None:
    partner = api.partner()
    customer_id, _ = api.customer(partner)
    answer = api.call("POST", BASE, partner.token, json=draft(customer_id, duration=sent))
    assert answer.status_code == 400, answer.text
    assert graph_error(answer)["innerError"]["data"][0]["field"] == "duration"
