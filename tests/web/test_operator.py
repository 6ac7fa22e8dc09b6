"""The operator's pages: partners (list; create one, its Global admin's password shown once) and the catalog
(list; import a JSON or CSV upload, saying how many offers were added and updated; a malformed file is
refused with nothing changed). Partners are not allowed on them. Every text of this area is in Italian."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from httpx2 import Response
from sqlalchemy import select

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.actor import Actor
from partnerhub.auth.service import authenticate_password
from partnerhub.catalog.models import Offer
from partnerhub.db import read_session, transaction
from partnerhub.locale import catalog
from partnerhub.tenants.models import Partner, Tenant
from partnerhub.tenants.service import create_operator_account
from tests.web.conftest import Browser, Site, csrf_of

TEMPLATES = Path(__file__).parents[2] / "src/partnerhub/http/web/templates"
MSGID = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def _operator(site: Site) -> Browser:
    with transaction(site.engine) as session:
        user, _ = create_operator_account(session, Actor.system(), email="ops@platform.example")
    return site.signed_in(user.email)


def _upload(browser: Browser, name: str, content: bytes) -> Response:
    page = browser.get("/operator/catalog")
    answer = browser.client.post(
        "/operator/catalog", data={"csrf_token": csrf_of(page.text)}, files={"catalog": (name, content)}
    )
    browser.last = answer
    return answer


def _offer(site: Site, offer_id: str) -> Offer | None:
    with read_session(site.engine) as session:
        return session.get(Offer, offer_id)


@pytest.mark.parametrize("folder", ["activity", "users", "partnerships", "operator"])
def test_every_text_of_these_pages_exists_in_italian(folder: str) -> None:
    italian = catalog("it")
    found = {a or b for path in (TEMPLATES / folder).glob("*.html") for a, b in MSGID.findall(path.read_text())}
    assert found
    assert sorted(found - set(italian)) == []


def test_the_operator_lists_partners_with_type_mpn_id_and_domain(site: Site) -> None:
    partner = site.partner(name="Contoso Direct", domain="contoso-direct.example", partner_type="indirect-provider")
    page = _operator(site).get("/operator/partners")
    assert page.status_code == 200
    assert "Contoso Direct" in page.text and "contoso-direct.example" in page.text
    assert partner.mpn_id in page.text and "Indirect provider" in page.text


def test_creating_a_partner_shows_the_admins_password_once(site: Site) -> None:
    browser = _operator(site)
    browser.get("/operator/partners/new")
    page = browser.post(
        "/operator/partners/new",
        {
            "name": "Wingtip Cloud",
            "domain": "Wingtip.Example",
            "partner_type": "indirect-reseller",
            "admin_email": "admin@wingtip.example",
        },
    )
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "ph_flash" not in page.headers.get("set-cookie", "")
    password = re.search(r'<code class="secret" id="secret">([^<]+)</code>', page.text)
    assert password is not None
    with transaction(site.engine) as session:
        actor = authenticate_password(session, email="admin@wingtip.example", password=password.group(1))
        partner = session.get(Partner, actor.tenant_id)
        assert partner is not None and partner.partner_type == "indirect-reseller"
        assert partner.mpn_id in page.text
    listing = browser.get("/operator/partners")
    assert "wingtip.example" in listing.text and password.group(1) not in listing.text
    with read_session(site.engine) as session:
        assert session.scalars(
            select(ActivityRecord.operation_type).where(ActivityRecord.partner_id == actor.tenant_id)
        ).all() == ["add_partner"]


def test_a_partner_form_with_bad_input_keeps_what_was_typed(site: Site) -> None:
    browser = _operator(site)
    browser.get("/operator/partners/new")
    page = browser.post(
        "/operator/partners/new",
        {"name": "", "domain": "not a domain", "partner_type": "wholesale", "admin_email": "nobody"},
    )
    assert page.status_code == 400
    assert 'id="f-name-error">This field is required.' in page.text
    assert 'id="f-domain-error">Enter a domain name such as contoso.onmicrosoft.com.' in page.text
    assert 'id="f-partner_type-error">Choose one of the options.' in page.text
    assert 'id="f-admin_email-error">Enter an e-mail address' in page.text
    assert 'value="not a domain"' in page.text and 'value="nobody"' in page.text
    with read_session(site.engine) as session:
        assert session.scalars(select(Tenant)).first() is None


def test_a_taken_domain_is_refused_next_to_its_field(site: Site) -> None:
    site.partner(domain="taken.example")
    browser = _operator(site)
    browser.get("/operator/partners/new")
    page = browser.post(
        "/operator/partners/new",
        {"name": "Copycat", "domain": "taken.example", "partner_type": "direct", "admin_email": "a@copycat.example"},
    )
    assert page.status_code == 400
    assert 'id="f-domain-error">The domain taken.example is already used by another tenant.' in page.text
    assert 'value="direct" checked' in page.text


def test_partners_are_not_allowed_on_the_operators_pages(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    for path in ("/operator/partners", "/operator/partners/new", "/operator/catalog"):
        assert browser.get(path).status_code == 403, path
    browser.get("/account")
    assert (
        browser.post(
            "/operator/partners/new",
            {"name": "X", "domain": "x.example", "partner_type": "direct", "admin_email": "a@x.example"},
        ).status_code
        == 403
    )


def test_the_catalog_lists_the_offers(site: Site) -> None:
    page = _operator(site).get("/operator/catalog")
    assert page.status_code == 200
    assert "CFQ7TTC0LH18:0001" in page.text and 'enctype="multipart/form-data"' in page.text
    assert "1 month" in page.text or "1 year" in page.text


def test_importing_a_json_catalog_says_how_many_were_added_and_updated(site: Site) -> None:
    browser = _operator(site)
    offers = [
        {"id": "TEST:0001", "name": "Test Suite", "termDurations": ["P1Y"], "minQuantity": 2, "maxQuantity": 50},
        {"id": "CFQ7TTC0LH18:0001", "name": "Microsoft 365 Business Basic (renamed)"},
    ]
    page = _upload(browser, "offers.json", json.dumps(offers).encode())
    assert "Catalog imported: 1 offers added, 1 updated." in page.text
    added = _offer(site, "TEST:0001")
    assert added is not None and (added.min_quantity, added.max_quantity) == (2, 50)
    again = _upload(browser, "offers.json", json.dumps(offers).encode())
    assert "every offer was already up to date" in again.text


def test_importing_a_csv_catalog(site: Site) -> None:
    browser = _operator(site)
    content = b"id,name,kind,termDurations\nRES:0001,Reserved VM,reservation,P1Y|P3Y\n"
    page = _upload(browser, "offers.csv", content)
    assert "Catalog imported: 1 offers added, 0 updated." in page.text
    offer = _offer(site, "RES:0001")
    assert offer is not None and offer.kind == "reservation" and offer.term_durations == ["P1Y", "P3Y"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("offers.json", b'[{"id": "X:1", "name": "X"', "The catalog was not imported, nothing changed:"),
        ("offers.json", b'[{"id": "X:1", "name": "X", "kind": "hardware"}]', "kind must be license or reservation"),
        ("offers.csv", b"\xff\xfe\x00garbage", "The file is not UTF-8 text"),
        ("offers.json", b"   ", "The file is empty."),
        ("", b"", "This field is required."),
    ],
)
def test_a_malformed_catalog_is_refused_and_nothing_changes(
    site: Site, name: str, content: bytes, message: str
) -> None:
    browser = _operator(site)
    page = _upload(browser, name, content)
    assert page.status_code == 400
    assert 'id="f-catalog-error"' in page.text and message in page.text
    assert _offer(site, "X:1") is None


def test_the_operators_pages_speak_italian(site: Site) -> None:
    browser = _operator(site)
    browser.client.cookies.set("ph_lang", "it")
    page = browser.get("/operator/partners/new")
    assert "Crea partner" in page.text and "Rivenditore indiretto" in page.text
    assert "Catalogo" in browser.get("/operator/catalog").text


def test_the_operators_account_names_the_platform(site: Site) -> None:
    page = _operator(site).get("/account")
    assert page.status_code == 200
    assert "Platform operator" in page.text and "Operator" in page.text
    assert "Tenant ID" not in page.text
