"""Users (partner Global admins: list, add with a one-time password shown once, change roles with the last
Global admin kept) and My account (who I am, my language, my API tokens shown once and revocable)."""

from __future__ import annotations

import re

from sqlalchemy import select

from partnerhub.auth.models import ApiToken, User
from partnerhub.auth.service import authenticate_password, authenticate_token
from partnerhub.db import read_session, transaction
from partnerhub.errors import TokenRevoked
from tests.activity import activity
from tests.web.conftest import Site


def _user(site: Site, email: str) -> User | None:
    with read_session(site.engine) as session:
        return session.scalar(select(User).where(User.email == email))


# --- users -------------------------------------------------------------------------------------------


def test_a_global_admin_sees_its_users_with_their_roles(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    page = site.signed_in(partner.admin.email).get("/users")
    assert page.status_code == 200
    assert partner.sales_agent.email in page.text and "Sales agent" in page.text
    assert other.admin.email not in page.text
    assert 'href="/users/new"' in page.text
    assert '<a href="/users">Users</a>' in page.text or 'href="/users" aria-current="page"' in page.text


def test_agents_are_not_allowed_on_the_users_pages(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin_agent.email)
    assert 'href="/users"' not in browser.get("/account").text  # no menu item
    for path in ("/users", "/users/new", f"/users/{partner.sales_agent.user_id}"):
        page = browser.get(path)
        assert page.status_code == 403, path
        assert "Not allowed" in page.text


def test_adding_a_user_shows_the_one_time_password_once(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    browser.get("/users/new")
    domain = partner.admin.email.split("@")[1]
    page = browser.post(
        "/users/new",
        {"email": f"Marco@{domain.upper()}", "display_name": "Marco", "roles": ["sales-agent", "helpdesk-agent"]},
    )
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "ph_flash" not in page.headers.get("set-cookie", "")
    password = re.search(r'<code class="secret" id="secret">([^<]+)</code>', page.text)
    assert password is not None
    with transaction(site.engine) as session:
        actor = authenticate_password(session, email=f"marco@{domain}", password=password.group(1))
    assert actor.roles == {"sales-agent", "helpdesk-agent"}
    assert password.group(1) not in browser.get("/users").text
    [added] = activity(site.engine, operation="add_user")[-1:]
    assert added.new_value == {"email": f"marco@{domain}", "roles": ["sales-agent", "helpdesk-agent"]}


def test_a_user_form_with_bad_input_keeps_what_was_typed(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    browser.get("/users/new")
    page = browser.post("/users/new", {"email": "not-an-address", "display_name": "Marco"})
    assert page.status_code == 400
    assert 'id="f-email-error">Enter an e-mail address such as anna@contoso.com.' in page.text
    assert 'id="f-roles-error">Choose at least one role.' in page.text
    assert 'value="not-an-address"' in page.text and 'value="Marco"' in page.text
    assert _user(site, "not-an-address") is None


def test_a_taken_e_mail_is_refused_next_to_the_field_and_roles_are_kept(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    browser.get("/users/new")
    page = browser.post("/users/new", {"email": partner.sales_agent.email, "roles": ["admin-agent"]})
    assert page.status_code == 400
    assert f'id="f-email-error">A user with e-mail {partner.sales_agent.email} already exists.' in page.text
    assert 'value="admin-agent" aria-describedby="f-role-admin-agent-hint" checked' in page.text


def test_the_form_names_the_verified_domains_and_refuses_any_other(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    domain = partner.admin.email.split("@")[1]
    browser = site.signed_in(partner.admin.email)
    form = browser.get("/users/new")
    assert f"Your organization&#39;s verified domains: {domain}" in form.text
    for email in ("marco@fabrikam.example", other.sales_agent.email):  # a free address, another tenant's user
        page = browser.post("/users/new", {"email": email, "roles": ["sales-agent"]})
        assert page.status_code == 400
        assert (
            f'id="f-email-error">{email} is not in your organization\'s verified domains ({domain}).'
            in page.text.replace("&#39;", "'")
        )
        assert "already exists" not in page.text
    assert _user(site, "marco@fabrikam.example") is None
    assert "marco@fabrikam.example" not in [r.new_value["email"] for r in activity(site.engine, operation="add_user")]


def test_the_domain_refusal_speaks_italian(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email, language="it")
    assert "Domini verificati della tua organizzazione" in browser.get("/users/new").text
    page = browser.post("/users/new", {"email": "marco@fabrikam.example", "roles": ["sales-agent"]})
    assert page.status_code == 400
    assert "marco@fabrikam.example non è in uno dei domini verificati" in page.text


def test_changing_roles_redirects_with_a_message_and_is_recorded(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    form = browser.get(f"/users/{partner.sales_agent.user_id}")
    assert 'value="sales-agent" aria-describedby="f-role-sales-agent-hint" checked' in form.text
    page = browser.post(f"/users/{partner.sales_agent.user_id}", {"roles": ["sales-agent", "admin-agent"]})
    assert page.status_code == 200 and str(page.url).endswith("/users")
    assert f"The roles of {partner.sales_agent.email} were updated." in page.text
    [changed] = activity(site.engine, operation="update_user_roles")
    assert changed.old_value == {"roles": ["sales-agent"]}
    assert changed.new_value == {"roles": ["sales-agent", "admin-agent"]}


def test_the_last_global_admin_keeps_the_role(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email)
    browser.get(f"/users/{partner.admin.user_id}")
    page = browser.post(f"/users/{partner.admin.user_id}", {"roles": ["admin-agent"]})
    assert page.status_code == 400
    assert 'id="f-roles-error">The last Global admin of a tenant cannot lose that role.' in page.text
    assert 'value="admin-agent" aria-describedby="f-role-admin-agent-hint" checked' in page.text
    user = _user(site, partner.admin.email)
    assert user is not None and user.roles == ["global-admin"]


def test_another_partners_user_is_not_found(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    browser = site.signed_in(partner.admin.email)
    assert browser.get(f"/users/{other.sales_agent.user_id}").status_code == 404
    browser.get("/users")
    assert browser.post(f"/users/{other.sales_agent.user_id}", {"roles": ["global-admin"]}).status_code == 404
    user = _user(site, other.sales_agent.email)
    assert user is not None and user.roles == ["sales-agent"]


def test_the_users_pages_speak_italian(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.admin.email, language="it")
    page = browser.get("/users/new")
    for word in ("Amministratore globale", "Agente amministratore", "Agente di vendita", "Agente helpdesk"):
        assert word in page.text
    assert "Aggiungi utente" in page.text


# --- my account --------------------------------------------------------------------------------------


def test_my_account_shows_who_i_am(site: Site) -> None:
    partner = site.partner(name="Contoso Direct")
    page = site.signed_in(partner.sales_agent.email).get("/account")
    assert page.status_code == 200
    assert partner.sales_agent.email in page.text and "Contoso Direct" in page.text
    assert "Sales agent" in page.text and partner.partner_id in page.text
    assert "then this setting, then your browser" in page.text


def test_setting_my_language_changes_the_pages_and_is_recorded(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.helpdesk_agent.email)
    browser.get("/account")
    page = browser.post("/account/language", {"language": "it"})
    assert page.status_code == 200 and '<html lang="it">' in page.text
    assert "La tua lingua ora è Italiano." in page.text
    user = _user(site, partner.helpdesk_agent.email)
    assert user is not None and user.locale == "it"
    assert [r.new_value for r in activity(site.engine, operation="update_user_language")] == [{"language": "it"}]


def test_the_language_switch_wins_over_my_setting(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.helpdesk_agent.email)
    browser.get("/account")
    browser.post("/language", {"language": "en", "next": "/account"})
    page = browser.post("/account/language", {"language": "it"})
    assert '<html lang="en">' in page.text and "Your language is now Italiano." in page.text
    assert "This browser uses the language switch at the top of the page (English)" in page.text


def test_an_unknown_language_is_refused(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.helpdesk_agent.email)
    browser.get("/account")
    page = browser.post("/account/language", {"language": "fr"})
    assert page.status_code == 400
    assert 'id="f-language-error">Choose one of the options.' in page.text


def test_creating_a_token_shows_it_once_and_it_works(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.sales_agent.email)
    browser.get("/account")
    page = browser.post("/account/tokens", {"name": "Nightly export", "days": "30"})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    token = re.search(r'<code class="secret" id="secret">([^<]+)</code>', page.text)
    assert token is not None and token.group(1).startswith("ph_")
    with transaction(site.engine) as session:
        assert authenticate_token(session, token.group(1)).email == partner.sales_agent.email
    account = browser.get("/account")
    assert "Nightly export" in account.text and token.group(1) not in account.text
    created = activity(site.engine, operation="create_api_token")
    assert [r.new_value["name"] for r in created if r.new_value] == ["Nightly export"]


def test_a_token_form_with_bad_input_keeps_what_was_typed(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.sales_agent.email)
    browser.get("/account")
    page = browser.post("/account/tokens", {"name": "Backup", "days": "1000"})
    assert page.status_code == 400
    assert 'id="f-days-error">Enter a number from 1 to 730.' in page.text
    assert 'value="Backup"' in page.text and 'value="1000"' in page.text
    page = browser.post("/account/tokens", {"name": "", "days": "ten"})
    assert 'id="f-name-error">This field is required.' in page.text
    assert 'id="f-days-error">Enter a whole number.' in page.text
    with read_session(site.engine) as session:
        assert session.scalars(select(ApiToken)).first() is None


def test_revoking_a_token_stops_it_at_once(site: Site) -> None:
    partner = site.partner()
    browser = site.signed_in(partner.sales_agent.email)
    browser.get("/account")
    created = browser.post("/account/tokens", {"name": "Script", "days": "7"})
    token = re.search(r'<code class="secret" id="secret">([^<]+)</code>', created.text)
    assert token is not None
    account = browser.get("/account")
    revoke_path = re.search(r'action="(/account/tokens/[^/]+/revoke)"', account.text)
    assert revoke_path is not None
    page = browser.post(revoke_path.group(1))
    assert "The API token “Script” was revoked." in page.text
    assert "badge-revoked" in page.text
    with transaction(site.engine) as session:
        try:
            authenticate_token(session, token.group(1))
            raise AssertionError("a revoked token still works")
        except TokenRevoked:
            pass
    assert len(activity(site.engine, operation="revoke_api_token")) == 1


def test_another_users_token_is_not_found(site: Site) -> None:
    partner, other = site.partner(), site.partner()
    owner = site.signed_in(other.sales_agent.email)
    owner.get("/account")
    owner.post("/account/tokens", {"name": "Theirs", "days": "7"})
    with read_session(site.engine) as session:
        token_id = session.scalars(select(ApiToken.id)).one()
    browser = site.signed_in(partner.admin.email)
    browser.get("/account")
    assert browser.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    with read_session(site.engine) as session:
        assert session.get(ApiToken, token_id).revoked_at is None  # type: ignore[union-attr]


def test_my_account_speaks_italian(site: Site) -> None:
    partner = site.partner()
    page = site.signed_in(partner.admin.email, language="it").get("/account")
    assert "Il mio account" in page.text and "Token API" in page.text and "Amministratore globale" in page.text
