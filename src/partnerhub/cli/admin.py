"""Commands for the platform: db, operator, token, users, serve."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from partnerhub.auth.service import (
    add_partner_user,
    create_token,
    list_tokens,
    list_users,
    reset_user_password,
    revoke_token,
    set_user_roles,
)
from partnerhub.auth.sign_in import change_my_password, reset_user_mfa
from partnerhub.catalog.service import import_offers_file, list_offers, load_default_catalog
from partnerhub.cli.acting import AsOption, acting, as_system, runtime
from partnerhub.cli.output import JsonOption, console, fmt_time, print_json, print_table
from partnerhub.migrations import current_revision, upgrade
from partnerhub.tenants.service import create_operator_account, create_partner, list_partners

db_app = typer.Typer(help="Create or migrate the database.", no_args_is_help=True)
operator_app = typer.Typer(help="Operator commands: partners, catalog, operator accounts.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for the HTTP API (shown once, stored as a hash).", no_args_is_help=True)
users_app = typer.Typer(help="Users of your partner tenant and their roles.", no_args_is_help=True)
offers_app = typer.Typer(help="The catalog of offers.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the latest schema and load the default catalog (idempotent)."""
    rt = runtime()
    upgrade(rt.engine)
    with as_system() as (session, actor):
        created, updated = load_default_catalog(session, actor)
    url = rt.engine.url.render_as_string(hide_password=True)
    console.print(f"Database [bold]{url}[/] is at revision {current_revision(rt.engine)}.")
    if created or updated:
        console.print(f"Default catalog: {created} offers added, {updated} updated.")


@db_app.command("current")
def db_current() -> None:
    """Show the database's schema revision."""
    typer.echo(current_revision(runtime().engine) or "(empty database: run partnerhub db upgrade)")


@operator_app.command("create-partner")
def operator_create_partner(
    name: Annotated[str, typer.Option(help="Company name of the partner.")],
    type_: Annotated[str, typer.Option("--type", help="direct | indirect-provider | indirect-reseller")],
    domain: Annotated[str, typer.Option(help="The partner's domain, e.g. contoso.onmicrosoft.com")],
    admin_email: Annotated[str, typer.Option(help="E-mail of the partner's first Global admin.")],
    mpn_id: Annotated[str | None, typer.Option(help="MPN id (generated if not given).")] = None,
    json_: JsonOption = False,
) -> None:
    """Onboard a partner: prints its id and the Global admin's one-time password (shown once)."""
    with as_system() as (session, actor):
        created = create_partner(
            session, actor, name=name, partner_type=type_, domain=domain, admin_email=admin_email, mpn_id=mpn_id
        )
    out = {
        "partnerId": created.partner.id,
        "mpnId": created.partner.mpn_id,
        "adminEmail": created.admin.email,
        "password": created.password,
    }
    if json_:
        print_json(out)
        return
    console.print(f"Partner [bold]{created.tenant.name}[/] ({created.partner.partner_type}) created.")
    console.print(f"  Partner id: {out['partnerId']}\n  MPN id:     {out['mpnId']}")
    console.print(f"  Global admin: {out['adminEmail']}\n  One-time password: [bold]{out['password']}[/]")
    console.print("  The password is shown only now; keep it safe.")


@operator_app.command("list-partners")
def operator_list_partners(json_: JsonOption = False) -> None:
    """List every partner on the platform."""
    with as_system(write=False) as (session, actor):
        rows = list_partners(session, actor)
    data: list[dict[str, Any]] = [
        {"partnerId": t.id, "name": t.name, "type": p.partner_type, "domain": t.domain, "mpnId": p.mpn_id}
        for t, p in rows
    ]
    if json_:
        print_json(data)
    else:
        print_table(
            "Partners",
            ["Name", "Type", "Domain", "MPN id", "Partner id"],
            [(d["name"], d["type"], d["domain"], d["mpnId"], d["partnerId"]) for d in data],
        )


@operator_app.command("import-offers")
def operator_import_offers(
    file: Annotated[Path, typer.Argument(help="A JSON (list of offers) or CSV (header row) catalog file.")],
    json_: JsonOption = False,
) -> None:
    """Load offers into the catalog: new ids are added, known ids updated. All or nothing."""
    with as_system() as (session, actor):
        created, updated = import_offers_file(session, actor, path=file)
    if json_:
        print_json({"created": created, "updated": updated})
    else:
        console.print(f"{created} offers added, {updated} updated.")


@operator_app.command("create-operator")
def operator_create_operator(
    email: Annotated[str, typer.Option(help="E-mail of the operator account.")], json_: JsonOption = False
) -> None:
    """Create an operator account that can sign in; prints its one-time password."""
    with as_system() as (session, actor):
        user, password = create_operator_account(session, actor, email=email)
    if json_:
        print_json({"userId": user.id, "email": user.email, "password": password})
    else:
        console.print(f"Operator {user.email} created. One-time password: [bold]{password}[/]")


@offers_app.command("list")
def offers_list(json_: JsonOption = False) -> None:
    """List the catalog's available offers."""
    with as_system(write=False) as (session, _actor):
        offers = list_offers(session)
    data: list[dict[str, Any]] = [
        {
            "id": o.id,
            "name": o.name,
            "unitType": o.unit_type,
            "kind": o.kind,
            "billingCycles": o.billing_cycles,
            "termDurations": o.term_durations,
            "parentOfferId": o.parent_offer_id,
        }
        for o in offers
    ]
    if json_:
        print_json(data)
    else:
        print_table(
            "Offers",
            ["Offer id", "Name", "Unit", "Kind", "Terms", "Cycles", "Add-on of"],
            [
                (
                    d["id"],
                    d["name"],
                    d["unitType"],
                    d["kind"],
                    ",".join(d["termDurations"]),
                    ",".join(d["billingCycles"]),
                    d["parentOfferId"] or "",
                )
                for d in data
            ],
        )


@token_app.command("create")
def token_create(
    as_: AsOption,
    expires_days: Annotated[int, typer.Option(help="Days until the token expires (1-730).")] = 90,
    name: Annotated[str, typer.Option(help="A label to recognise the token by.")] = "",
    json_: JsonOption = False,
) -> None:
    """Create an API token for a user; the token is printed once and stored only as a hash."""
    with acting(as_) as (session, actor):
        issued = create_token(session, actor, expires_days=expires_days, name=name)
    if json_:
        print_json({"id": issued.id, "token": issued.token, "expiresAt": issued.expires_at})
    else:
        console.print(f"API token {issued.id} (expires {fmt_time(issued.expires_at)}):")
        console.print(f"[bold]{issued.token}[/]")
        console.print("Use it as: Authorization: Bearer <token>. It is shown only now.")


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id.")], as_: AsOption, json_: JsonOption = False
) -> None:
    """Revoke a token: it stops working at once."""
    with acting(as_) as (session, actor):
        row = revoke_token(session, actor, token_id=token_id)
    if json_:
        print_json({"id": row.id, "revokedAt": row.revoked_at})
    else:
        console.print(f"Token {row.id} revoked.")


@token_app.command("list")
def token_list(as_: AsOption, json_: JsonOption = False) -> None:
    """List your tokens (never their secret values)."""
    with acting(as_, write=False) as (session, actor):
        rows = list_tokens(session, actor)
    data: list[dict[str, Any]] = [
        {"id": r.id, "name": r.name, "createdAt": r.created_at, "expiresAt": r.expires_at, "revokedAt": r.revoked_at}
        for r in rows
    ]
    if json_:
        print_json(data)
    else:
        print_table(
            "API tokens",
            ["Id", "Name", "Created", "Expires", "Revoked"],
            [
                (d["id"], d["name"], fmt_time(d["createdAt"]), fmt_time(d["expiresAt"]), fmt_time(d["revokedAt"]))
                for d in data
            ],
        )


@users_app.command("list")
def users_list(as_: AsOption, json_: JsonOption = False) -> None:
    """List the users of your tenant with their roles."""
    with acting(as_, write=False) as (session, actor):
        users = list_users(session, actor)
    data: list[dict[str, Any]] = [{"id": u.id, "email": u.email, "roles": u.roles, "locale": u.locale} for u in users]
    if json_:
        print_json(data)
    else:
        print_table(
            "Users",
            ["E-mail", "Roles", "Language", "Id"],
            [(d["email"], ", ".join(d["roles"]), d["locale"], d["id"]) for d in data],
        )


RolesOption = Annotated[
    list[str],
    typer.Option("--role", help="global-admin | admin-agent | sales-agent | helpdesk-agent (repeat for several)."),
]


@users_app.command("add")
def users_add(
    as_: AsOption,
    email: Annotated[str, typer.Option(help="E-mail of the new user.")],
    role: RolesOption,
    locale: Annotated[str, typer.Option(help="Language of the user: en or it (default: none, so pages follow the "
                                             "browser).")] = "",
    json_: JsonOption = False,
) -> None:
    """Add a user to your partner tenant (Global admin only); prints the one-time password."""
    with acting(as_) as (session, actor):
        user, password = add_partner_user(session, actor, email=email, roles=role, locale=locale)
    if json_:
        print_json({"userId": user.id, "email": user.email, "roles": user.roles, "password": password})
    else:
        console.print(f"User {user.email} added with roles {', '.join(user.roles)}.")
        console.print(f"One-time password: [bold]{password}[/]")


@users_app.command("set-roles")
def users_set_roles(
    as_: AsOption,
    email: Annotated[str, typer.Option(help="The user's e-mail.")],
    role: RolesOption,
    json_: JsonOption = False,
) -> None:
    """Replace a user's roles (Global admin only; a tenant keeps at least one Global admin)."""
    with acting(as_) as (session, actor):
        user = set_user_roles(session, actor, email=email, roles=role)
    if json_:
        print_json({"userId": user.id, "email": user.email, "roles": user.roles})
    else:
        console.print(f"{user.email} now has roles {', '.join(user.roles)}.")


@users_app.command("reset-password")
def users_reset_password(
    as_: AsOption, email: Annotated[str, typer.Option(help="The user's e-mail.")], json_: JsonOption = False
) -> None:
    """Give a user a new random password, shown once: it works for one sign-in, which sets a new one; every
    session and API token of the user ends."""
    with acting(as_) as (session, actor):
        user, password = reset_user_password(session, actor, email=email)
    if json_:
        print_json({"userId": user.id, "email": user.email, "password": password})
    else:
        console.print(f"New password for {user.email}: [bold]{password}[/]")


@users_app.command("set-password")
def users_set_password(
    as_: AsOption,
    current: Annotated[str, typer.Option(prompt="Current password", hide_input=True,
                                         help="The password you have (asked for when not given).")],
    new: Annotated[str, typer.Option(prompt="New password", hide_input=True, confirmation_prompt=True,
                                     help="Your own new password, 12 characters or more (asked for twice).")],
    json_: JsonOption = False,
) -> None:
    """Set your own password in place of the one you were given (a generated password works once): the
    current one is checked, and every web session and API token of yours ends."""
    with acting(as_) as (session, actor):
        user = change_my_password(session, actor, current=current, new=new)
    if json_:
        print_json({"userId": user.id, "email": user.email, "passwordChangedAt": user.password_changed_at})
    else:
        console.print(f"Password of {user.email} changed: your web sessions and API tokens have ended.")


@users_app.command("reset-mfa")
def users_reset_mfa(
    as_: AsOption, email: Annotated[str, typer.Option(help="The user's e-mail.")], json_: JsonOption = False
) -> None:
    """Clear the multi-factor sign-in of a user who lost both the phone and the recovery codes (a Global admin
    of the user's tenant, or the operator). Give the user a new password with reset-password: the next
    sign-in sets their own and a new authenticator."""
    with acting(as_) as (session, actor):
        user = reset_user_mfa(session, actor, email=email)
    if json_:
        print_json({"userId": user.id, "email": user.email, "mfa": False})
    else:
        console.print(f"Multi-factor sign-in of {user.email} cleared; their sessions and API tokens have ended.")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (0: one per CPU core).")] = 0,
) -> None:
    """Run the web service (health checks /healthz and /readyz; job worker inside)."""
    import os

    import uvicorn

    workers = workers or os.cpu_count() or 1

    rt = runtime()
    if current_revision(rt.engine) is None:
        upgrade(rt.engine)
    uvicorn.run(
        "partnerhub.http.app:app_factory", factory=True, host=host, port=port, workers=workers, log_level="info",
        access_log=False,  # partnerhub logs each request itself (ids, tenant, duration; PARTNERHUB_LOG_FORMAT)
    )
