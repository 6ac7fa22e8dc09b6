"""The request log: one line per request with method, path, status, duration, request and correlation ids and
the tenant; JSON lines with PARTNERHUB_LOG_FORMAT=json; never the Authorization header, a token or a password."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from partnerhub.http.api.logging import LOGGER_NAME
from tests.api.conftest import Api

CUSTOMER = {
    "companyProfile": {"domain": "logged.example", "companyName": "Logged Srl"},
    "billingProfile": {"email": "ada@logged.example", "defaultAddress": {"country": "IT"}},
}


def _lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER_NAME]


def test_a_json_line_has_the_fields_and_no_secret(
    make_api: Callable[..., Api], caplog: pytest.LogCaptureFixture
) -> None:
    api = make_api(log_format="json")
    partner = api.partner()
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    response = api.call(
        "POST",
        "/v1/customers",
        partner.token,
        json=CUSTOMER,
        headers={"MS-RequestId": "req-1", "MS-CorrelationId": "corr-1"},
    )
    assert response.status_code == 201, response.text
    password = response.json()["userCredentials"]["password"]

    [record] = _lines(caplog)
    line: dict[str, Any] = json.loads(record.getMessage())
    assert line["method"] == "POST" and line["path"] == "/v1/customers" and line["status"] == 201
    assert line["request_id"] == "req-1" and line["correlation_id"] == "corr-1"
    assert line["tenant_id"] == partner.partner_id
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    text = record.getMessage()
    for secret in (partner.token, password, "Bearer", "authorization"):
        assert secret.lower() not in text.lower()


def test_an_anonymous_refusal_is_logged_without_tenant_and_without_the_presented_token(
    make_api: Callable[..., Api], caplog: pytest.LogCaptureFixture
) -> None:
    api = make_api(log_format="json")
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    response = api.call("GET", "/v1/customers", "not-a-real-token-but-secret-looking")
    assert response.status_code == 401

    [record] = _lines(caplog)
    line = json.loads(record.getMessage())
    assert line["status"] == 401 and line["tenant_id"] is None
    assert line["request_id"] == response.headers["MS-RequestId"]  # the generated id the client saw
    assert line["correlation_id"] == response.headers["MS-CorrelationId"]
    assert "not-a-real-token" not in record.getMessage()


def test_the_default_is_one_readable_text_line(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    partner = api.partner()
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    response = api.call(
        "GET", "/v1/customers", partner.token, params={"size": "5"}, headers={"MS-CorrelationId": "corr-2"}
    )
    assert response.status_code == 200

    [record] = _lines(caplog)
    text = record.getMessage()
    assert text.startswith("GET /v1/customers 200 ")
    assert "correlation_id=corr-2" in text and f"tenant={partner.partner_id}" in text
    assert "size=" not in text and partner.token not in text  # no query string, no token


def test_a_crlf_in_the_path_or_a_forged_field_in_the_correlation_id_cannot_forge_a_line(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    partner = api.partner()
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    api.call(
        "GET",
        "/v1/customers/x%0d%0aforged%20200",
        partner.token,
        headers={"MS-CorrelationId": "corr tenant=someone-else"},
    )

    [record] = _lines(caplog)
    text = record.getMessage()
    assert "\r" not in text and "\n" not in text
    assert text.endswith(f" tenant={partner.partner_id}")  # the only tenant field: the forged one is quoted
    assert 'correlation_id="corr tenant=someone-else"' in text


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_an_invitation_code_in_the_path_is_not_logged(
    make_api: Callable[..., Api], log_format: str, caplog: pytest.LogCaptureFixture
) -> None:
    # invitation codes are bearer secrets: the API's accept and the web's acceptance pages carry them in the path
    api = make_api(log_format=log_format)
    partner = api.partner()
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    secret = "Sekr3tInvitationCode"
    api.call("POST", f"/v1/relationshiprequests/{secret}/accept", partner.token)
    for path in (f"/invitations/{secret}", f"/invitations/{secret}/accept", "/invitations/sent"):
        api.client.get(path, follow_redirects=False)
    lines = [r.getMessage() for r in _lines(caplog)]
    assert len(lines) == 4
    assert not any(secret in line for line in lines), lines
    assert "/v1/relationshiprequests/<code>/accept" in lines[0]
    assert '/invitations/<code>"' in lines[1] or "/invitations/<code> " in lines[1]
    assert "/invitations/<code>/accept" in lines[2]
    assert "/invitations/sent" in lines[3]
