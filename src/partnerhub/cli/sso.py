"""`partnerhub sso ...`: the operator connects a tenant's OpenID Connect identity provider, shows it and turns
it off. The client secret is read from a hidden prompt or standard input, stored encrypted, and never printed."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from partnerhub.auth.oidc import (
    SingleSignOnView,
    disable_single_sign_on,
    get_single_sign_on,
    set_single_sign_on,
    tenant_id_by_domain,
)
from partnerhub.cli.acting import as_system, runtime
from partnerhub.cli.output import JsonOption, console, print_json
from partnerhub.errors.sso import SsoNotConfigured

sso_app = typer.Typer(help="Single sign-on with a tenant's OpenID Connect identity provider.", no_args_is_help=True)

DomainOption = Annotated[str, typer.Option("--domain", help="The tenant's domain, e.g. contoso.example.")]


def _shown(view: SingleSignOnView) -> dict[str, Any]:
    return {
        "tenantId": view.tenant_id,
        "tenant": view.tenant_name,
        "domain": view.domain,
        "issuer": view.issuer,
        "clientId": view.client_id,
        "enabled": view.is_enabled,
        "hasClientSecret": view.has_secret,
        "redirectUri": runtime().settings.base_url.rstrip("/") + "/signin/oidc/callback",
        "updatedAt": view.updated_at,
    }


def _print(view: SingleSignOnView, json_: bool) -> None:
    data = _shown(view)
    if json_:
        print_json(data)
        return
    state = "on" if view.is_enabled else "off"
    console.print(f"Single sign-on of [bold]{view.tenant_name}[/] ({view.domain}): {state}", highlight=False)
    console.print(f"  Issuer:        {view.issuer}\n  Client ID:     {view.client_id}", highlight=False)
    console.print(f"  Client secret: {'stored (encrypted)' if view.has_secret else 'none'}", highlight=False)
    console.print(f"  Redirect URI:  {data['redirectUri']}", highlight=False)


@sso_app.command("set")
def sso_set(
    domain: DomainOption,
    issuer: Annotated[str, typer.Option(help="The provider's issuer URL (https://; http:// only on loopback).")],
    client_id: Annotated[str, typer.Option("--client-id", help="partnerhub's client ID at the provider.")],
    secret_stdin: Annotated[
        bool, typer.Option("--client-secret-stdin", help="Read the client secret from standard input.")
    ] = False,
    keep_secret: Annotated[
        bool, typer.Option("--keep-secret", help="Keep the stored client secret (change only the rest).")
    ] = False,
    enable: Annotated[bool, typer.Option("--enable/--disable", help="Turn single sign-on on (default) or off.")] = True,
    json_: JsonOption = False,
) -> None:
    """Connect (or change) a tenant's identity provider. The client secret is asked for, hidden, unless
    --client-secret-stdin or --keep-secret is given."""
    if keep_secret:
        secret = ""
    elif secret_stdin:
        secret = sys.stdin.readline().strip()
    else:
        secret = typer.prompt("Client secret", hide_input=True)
    with as_system() as (session, actor):
        tenant_id = tenant_id_by_domain(session, actor, domain=domain)
        view = set_single_sign_on(
            session,
            actor,
            tenant_id=tenant_id,
            issuer=issuer,
            client_id=client_id,
            client_secret=secret,
            enabled=enable,
            secret_key=runtime().settings.resolved_secret_key,
        )
    _print(view, json_)


@sso_app.command("show")
def sso_show(domain: DomainOption, json_: JsonOption = False) -> None:
    """Show a tenant's single sign-on settings (never the client secret)."""
    with as_system(write=False) as (session, actor):
        tenant_id = tenant_id_by_domain(session, actor, domain=domain)
        view = get_single_sign_on(session, actor, tenant_id=tenant_id)
    if view is None:
        raise SsoNotConfigured(tenant=domain)
    _print(view, json_)


@sso_app.command("disable")
def sso_disable(domain: DomainOption, json_: JsonOption = False) -> None:
    """Turn a tenant's single sign-on off: its users sign in with their password (the settings stay)."""
    with as_system() as (session, actor):
        tenant_id = tenant_id_by_domain(session, actor, domain=domain)
        view = disable_single_sign_on(session, actor, tenant_id=tenant_id)
    _print(view, json_)
