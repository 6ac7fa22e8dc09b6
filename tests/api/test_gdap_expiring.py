"""Microsoft Graph's `expiring` status: an active relationship without auto-extend, in its last 30 days, is
shown as `expiring` (and no longer `active`) under /v1/tenantRelationships, and `$filter=status eq 'expiring'`
finds exactly those."""

from __future__ import annotations

from datetime import timedelta

from partnerhub.clock import frozen_at, utc_now
from tests.api.conftest import Api
from tests.api.test_gdap import BASE, active_relationship


def _statuses(api: Api, token: str, query: str = "") -> dict[str, str]:
    answer = api.call("GET", f"{BASE}{query}", token)
    assert answer.status_code == 200, answer.text
    return {r["displayName"]: r["status"] for r in answer.json()["value"]}


def test_a_relationship_ending_within_30_days_without_auto_extend_is_expiring(api: Api) -> None:
    partner = api.partner()
    customer_id, customer_token = api.customer(partner)
    with frozen_at(utc_now()) as clock:
        short = active_relationship(
            api, partner, customer_id, customer_token, name="Short", duration="P40D", autoExtendDuration="PT0S"
        )
        active_relationship(api, partner, customer_id, customer_token, name="Extends", duration="P40D")
        active_relationship(
            api, partner, customer_id, customer_token, name="Long", duration="P400D", autoExtendDuration="PT0S"
        )
        assert _statuses(api, partner.token) == {"Short": "active", "Extends": "active", "Long": "active"}

        clock.move(timedelta(days=11))  # 29 days left
        assert _statuses(api, partner.token) == {"Short": "expiring", "Extends": "active", "Long": "active"}
        assert api.call("GET", f"{BASE}/{short}", partner.token).json()["status"] == "expiring"
        assert api.call("GET", f"{BASE}/{short}", customer_token).json()["status"] == "expiring"
        assert _statuses(api, partner.token, "?$filter=status eq 'expiring'") == {"Short": "expiring"}
        assert set(_statuses(api, partner.token, "?$filter=status eq 'active'")) == {"Extends", "Long"}
        count = api.call("GET", f"{BASE}/$count?$filter=status eq 'expiring'", partner.token)
        assert count.text == "1"

        clock.move(timedelta(days=30))  # past its end: expired, even before the clock job writes it
        assert _statuses(api, partner.token, "?$filter=status eq 'expired'") == {"Short": "expired"}
        assert _statuses(api, partner.token, "?$filter=status eq 'expiring'") == {}
