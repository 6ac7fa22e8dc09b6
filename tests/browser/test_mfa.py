"""A new partner user's first sign-in in a real browser, in English and in Italian: the generated password
is accepted once and must be replaced, the partner's policy then asks for an authenticator (QR code drawn
by partnerhub, key as text), the code from the app turns multi-factor sign-in on, the recovery codes are
shown once, and the next sign-in asks for the code."""

from __future__ import annotations

import re

import pyotp

from tests.browser.conftest import Browsers, LiveSite, expect


def test_first_sign_in_sets_a_password_and_enrols_mfa(browsers: Browsers, live_site: LiveSite, language: str) -> None:
    partner = live_site.partner(name=f"Mfa Partner {language.upper()}")
    email = partner.sales_agent.email
    generated = live_site.password_of(email)
    own = f"my own passphrase {language}"

    me = browsers.user(language)
    me.go("/signin")
    me.choose_language()
    me.page.get_by_label(me.t("E-mail address")).fill(email)
    me.page.get_by_label(me.t("Password")).fill(generated)
    me.page.get_by_role("button", name=me.t("Sign in"), exact=True).click()

    expect(me.page.get_by_role("heading", name=me.t("Set your own password"))).to_be_visible()
    me.page.get_by_label(me.t("Password you were given")).fill(generated)
    me.page.locator("#f-new_password").fill(own)
    me.page.get_by_label(me.t("New password again")).fill(own)
    me.shot("mfa-01-set-password")
    me.page.get_by_role("button", name=me.t("Set password")).click()

    expect(me.page.get_by_role("heading", name=me.t("Set up multi-factor sign-in"))).to_be_visible()
    qr = me.page.get_by_role("img", name=me.t("QR code for setting up the authenticator app for {email}", email=email))
    expect(qr).to_be_visible()
    assert (qr.get_attribute("src") or "").startswith("data:image/svg+xml")
    key = me.page.locator("#mfa-key").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", key), key
    me.shot("mfa-02-enrol")
    me.page.get_by_label(me.t("Code")).fill(pyotp.TOTP(key).now())
    me.page.get_by_role("button", name=me.t("Turn on multi-factor sign-in")).click()

    expect(me.page.get_by_role("heading", name=me.t("Your recovery codes"))).to_be_visible()
    expect(me.page.locator("#recovery-codes li")).to_have_count(10)
    me.shot("mfa-03-recovery-codes")
    me.page.get_by_role("link", name=me.t("Continue")).click()
    expect(me.page.get_by_role("button", name=me.t("Sign out"))).to_be_visible()

    # the next sign-in, in another browser, asks for the code after the password
    again = browsers.user(language)
    again.go("/signin")
    again.choose_language()
    again.page.get_by_label(again.t("E-mail address")).fill(email)
    again.page.get_by_label(again.t("Password")).fill(own)
    again.page.get_by_role("button", name=again.t("Sign in"), exact=True).click()
    expect(again.page.get_by_role("heading", name=again.t("Enter your code"))).to_be_visible()
    again.shot("mfa-04-code")
    again.page.get_by_label(again.t("Code")).fill(live_site.accounts.code_of(email))
    again.page.get_by_role("button", name=again.t("Verify")).click()
    expect(again.page.get_by_role("button", name=again.t("Sign out"))).to_be_visible()
