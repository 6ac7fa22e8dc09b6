"""Multi-factor sign-in on My account in a real browser, in English and in Italian: a user of a partner that
leaves MFA to each user sets it up, gets new recovery codes after a code from the app (shown once, with a
download and a print button; the old codes stop working), signs in with one of the new codes, and turns it off
again after the password. A partner's Global admin resets a user's factor from *Users*, and the operator a
Global admin's, after a confirmation."""

from __future__ import annotations

import re
from pathlib import Path

import pyotp

from partnerhub.auth.actor import Actor
from partnerhub.auth.sign_in import set_mfa_policy
from partnerhub.db import transaction
from partnerhub.tenants.service import create_operator_account
from tests.browser.conftest import Browsers, LiveSite, User, expect

CODE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{8}")


def _codes_on(me: User) -> list[str]:
    codes = me.page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(CODE.fullmatch(c.strip()) for c in codes), codes
    return [c.strip() for c in codes]


def _password_step(me: User, email: str) -> None:
    me.go("/signin")
    me.choose_language()
    me.page.get_by_label(me.t("E-mail address")).fill(email)
    me.page.get_by_label(me.t("Password")).fill(me.site.accounts.own_password(email))
    me.page.get_by_role("button", name=me.t("Sign in"), exact=True).click()


def test_set_up_renew_the_recovery_codes_and_sign_in_with_one(
    browsers: Browsers, live_site: LiveSite, language: str
) -> None:
    partner = live_site.partner(name=f"Recovery Partner {language.upper()}")
    with transaction(live_site.engine) as session:
        set_mfa_policy(session, partner.admin, required=False)
    email = partner.admin_agent.email

    me = browsers.user(language)
    me.sign_in(email)  # a password alone: the partner leaves it to each user
    me.nav("My account").click()
    me.page.get_by_role("button", name=me.t("Set up multi-factor sign-in")).click()
    key = me.page.locator("#mfa-key").inner_text().replace(" ", "")
    me.page.get_by_label(me.t("Code")).fill(pyotp.TOTP(key).now())
    me.page.get_by_role("button", name=me.t("Turn on multi-factor sign-in")).click()
    expect(me.page.get_by_role("heading", name=me.t("Your recovery codes"))).to_be_visible()
    first_codes = _codes_on(me)
    me.page.get_by_role("link", name=me.t("Continue")).click()

    card = me.page.locator("section", has=me.page.get_by_role("heading", name=me.t("Multi-factor sign-in")))
    expect(card.get_by_text(me.t("Recovery codes left: {count}.", count=10))).to_be_visible()
    card.scroll_into_view_if_needed()
    me.shot("mfa-renew-01-account", full_page=False)
    card.get_by_role("link", name=me.t("Get new recovery codes")).click()
    expect(me.page.get_by_role("heading", name=me.t("Get new recovery codes"))).to_be_visible()
    me.page.get_by_label(me.t("Code from your authenticator app")).fill("000000")
    me.page.get_by_role("button", name=me.t("Make new recovery codes")).click()
    expect(me.page.locator("#f-code-error")).to_have_text(
        me.t("The code is not correct, has expired or was already used.")
    )
    me.page.get_by_label(me.t("Code from your authenticator app")).fill(live_site.accounts.code_of(email))
    me.shot("mfa-renew-02-confirm")
    me.page.get_by_role("button", name=me.t("Make new recovery codes")).click()

    expect(me.page.get_by_role("heading", name=me.t("Your new recovery codes"))).to_be_visible()
    new_codes = _codes_on(me)
    assert not set(new_codes) & set(first_codes)
    expect(me.page.get_by_role("button", name=me.t("Print"))).to_be_visible()  # shown by the page's script
    with me.page.expect_download() as downloaded:
        me.page.get_by_role("link", name=me.t("Download (.txt)")).click()
    assert downloaded.value.suggested_filename == "partnerhub-recovery-codes.txt"
    text = Path(downloaded.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == me.t("partnerhub recovery codes for {email}", email=email)
    assert text.splitlines()[-10:] == new_codes
    me.shot("mfa-renew-03-new-codes")
    me.page.emulate_media(media="print")
    me.shot("mfa-renew-04-print")
    me.page.emulate_media(media="screen")

    # another browser: an old code is refused, a new one signs in
    other = browsers.user(language)
    _password_step(other, email)
    expect(other.page.get_by_role("heading", name=other.t("Enter your code"))).to_be_visible()
    other.page.get_by_label(other.t("Code")).fill(first_codes[0])
    other.page.get_by_role("button", name=other.t("Verify")).click()
    expect(other.page.locator("#f-code-error")).to_have_text(
        other.t("The code is not correct, has expired or was already used.")
    )
    other.page.get_by_label(other.t("Code")).fill(new_codes[3])
    other.shot("mfa-renew-05-sign-in-with-a-recovery-code")
    other.page.get_by_role("button", name=other.t("Verify")).click()
    expect(other.page.get_by_role("button", name=other.t("Sign out"))).to_be_visible()
    other.nav("My account").click()
    expect(other.page.get_by_text(other.t("Recovery codes left: {count}.", count=9))).to_be_visible()

    # the partner leaves it to each user: the user may turn it off again, after their password
    other.page.get_by_role("link", name=other.t("Turn off"), exact=True).click()
    expect(other.page.get_by_role("heading", name=other.t("Turn off multi-factor sign-in"))).to_be_visible()
    other.page.get_by_label(other.t("Or your password")).fill(live_site.accounts.own_password(email))
    other.shot("mfa-renew-06-turn-off")
    other.page.get_by_role("button", name=other.t("Turn off multi-factor sign-in")).click()
    expect(other.flash()).to_have_text(
        other.t(
            "Multi-factor sign-in is off for your account: your password alone signs in, and your recovery codes no "
            "longer work."
        )
    )
    expect(other.page.get_by_text(other.t("Off: a password alone signs in to your account."))).to_be_visible()


def test_a_global_admin_resets_a_users_factor_from_users(
    browsers: Browsers, live_site: LiveSite, language: str
) -> None:
    partner = live_site.partner(name=f"Reset Partner {language.upper()}")  # requires MFA
    agent_email = partner.sales_agent.email
    live_site.accounts.own_password(agent_email)
    live_site.accounts.enrolled(agent_email)

    admin = browsers.user(language)
    admin.sign_in(partner.admin.email)
    admin.nav("Users").click()
    row = admin.page.get_by_role("row").filter(has_text=agent_email)
    set_up_on = re.compile("^" + re.escape(admin.t("Set up on {date}", date="").strip()))
    expect(row.get_by_role("cell", name=set_up_on)).to_be_visible()
    admin.shot("mfa-reset-01-users")
    row.get_by_role("link", name=admin.t("Reset the multi-factor sign-in of {email}", email=agent_email)).click()
    expect(
        admin.page.get_by_role("heading", name=admin.t("Reset the multi-factor sign-in of {email}?", email=agent_email))
    ).to_be_visible()
    expect(admin.page.get_by_text(admin.t("At their next sign-in they set up a new authenticator."))).to_be_visible()
    admin.shot("mfa-reset-02-confirm")
    admin.page.get_by_role("button", name=admin.t("Reset their multi-factor sign-in")).click()
    expect(admin.flash()).to_have_text(
        admin.t(
            "The multi-factor sign-in of {email} was reset: "
            "they were signed out everywhere and their API tokens ended.",
            email=agent_email,
        )
    )
    expect(
        admin.page.get_by_role("row").filter(has_text=agent_email).get_by_role("cell", name=admin.t("Not set up"))
    ).to_be_visible()
    admin.shot("mfa-reset-03-done")

    agent = browsers.user(language)
    _password_step(agent, agent_email)
    expect(agent.page.get_by_role("heading", name=agent.t("Set up multi-factor sign-in"))).to_be_visible()


def test_the_operator_resets_a_global_admins_factor(browsers: Browsers, live_site: LiveSite, language: str) -> None:
    partner = live_site.partner(name=f"Operator Reset Partner {language.upper()}")
    for email in (partner.admin.email, partner.sales_agent.email):
        live_site.accounts.own_password(email)
        live_site.accounts.enrolled(email)
    with transaction(live_site.engine) as session:
        create_operator_account(session, Actor.system(), email=f"ops-{language}@platform.example")

    ops = browsers.user(language)
    ops.sign_in(f"ops-{language}@platform.example")
    ops.nav("Partners").click()
    ops.page.get_by_role("link", name=ops.t("Reset a Global admin's multi-factor sign-in")).click()
    expect(ops.page.get_by_role("heading", name=ops.t("Reset a Global admin's multi-factor sign-in"))).to_be_visible()
    email_field = ops.page.get_by_label(ops.t("E-mail address of the Global admin"))
    email_field.fill(partner.sales_agent.email)
    ops.page.get_by_role("button", name=ops.t("Find")).click()
    expect(ops.page.locator("#f-email-error")).to_have_text(
        ops.t(
            "The operator resets the multi-factor sign-in of Global admins only: a Global admin of the user's "
            "organisation resets the others'."
        )
    )
    ops.shot("mfa-operator-01-only-global-admins")
    ops.page.get_by_label(ops.t("E-mail address of the Global admin")).fill(partner.admin.email)
    ops.page.get_by_role("button", name=ops.t("Find")).click()
    expect(
        ops.page.get_by_role(
            "heading", name=ops.t("Reset the multi-factor sign-in of {email}?", email=partner.admin.email)
        )
    ).to_be_visible()
    expect(ops.page.get_by_text(f"Operator Reset Partner {language.upper()}")).to_be_visible()
    ops.shot("mfa-operator-02-confirm")
    ops.page.get_by_role("button", name=ops.t("Reset their multi-factor sign-in")).click()
    expect(ops.flash()).to_have_text(
        ops.t(
            "The multi-factor sign-in of {email} was reset: "
            "they were signed out everywhere and their API tokens ended.",
            email=partner.admin.email,
        )
    )
    ops.shot("mfa-operator-03-done")
