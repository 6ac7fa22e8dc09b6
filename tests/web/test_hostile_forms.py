"""Hostile forms (the security review's F8): a NUL character in any field, or more fields than any page has,
is a 400 naming what is wrong, on both databases, signed in or not; never a 500."""

from __future__ import annotations

from tests.web.conftest import Site


def test_a_nul_character_in_the_sign_in_form_is_a_400_naming_the_field(site: Site) -> None:
    browser = site.browser()
    browser.get("/signin")
    answer = browser.post("/signin", {"email": "ada\x00@example.com", "password": "whatever-it-is"})
    assert answer.status_code == 400, answer.text
    assert "email" in answer.text and "NUL" in answer.text


def test_a_nul_character_in_a_signed_in_form_is_a_400_naming_the_field(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    browser.get("/users/new")
    answer = browser.post(
        "/users/new",
        {"email": f"new.user@{partner.admin.email.split('@')[1]}", "display_name": "Ada\x00", "roles": "sales_agent"},
    )
    assert answer.status_code == 400, answer.text
    assert "display_name" in answer.text and "NUL" in answer.text


def test_more_form_fields_than_any_page_has_is_a_400(site: Site) -> None:
    browser = site.browser()
    browser.get("/signin")
    fields = {f"f{i}": "x" for i in range(1_100)}
    answer = browser.post("/signin", {"email": "ada@example.com", "password": "whatever-it-is", **fields})
    assert answer.status_code == 400, answer.text[:500]
