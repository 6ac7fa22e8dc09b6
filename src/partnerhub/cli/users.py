"""`partnerhub users ...`: the users of a partner tenant, their roles, passwords and multi-factor sign-in."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from partnerhub.auth.service import (
    add_partner_user,
    list_users,
    reset_user_password,
    set_user_roles,
)
from partnerhub.auth.sign_in import change_my_password, reset_user_mfa
from partnerhub.cli.acting import AsOption, acting
from partnerhub.cli.output import JsonOption, console, print_json, print_table

users_app = typer.Typer(help="Users of your partner tenant and their roles.", no_args_is_help=True)


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
    locale: Annotated[
        str, typer.Option(help="Language of the user: en or it (default: none, so pages follow the browser).")
    ] = "",
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
    current: Annotated[
        str,
        typer.Option(
            prompt="Current password", hide_input=True, help="The password you have (asked for when not given)."
        ),
    ],
    new: Annotated[
        str,
        typer.Option(
            prompt="New password",
            hide_input=True,
            confirmation_prompt=True,
            help="Your own new password, 12 characters or more (asked for twice).",
        ),
    ],
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
    """Clear the multi-factor sign-in of a user who lost both the phone and the recovery codes: a Global admin
    of the user's tenant, or the operator for a tenant's Global admin (the same rule as the web's Users and
    operator pages). Give the user a new password with reset-password if needed: the next sign-in sets a new
    authenticator where the tenant requires one."""
    with acting(as_) as (session, actor):
        user = reset_user_mfa(session, actor, email=email)
    if json_:
        print_json({"userId": user.id, "email": user.email, "mfa": False})
    else:
        console.print(f"Multi-factor sign-in of {user.email} cleared; their sessions and API tokens have ended.")
