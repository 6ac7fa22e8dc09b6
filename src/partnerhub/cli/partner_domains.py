"""`partnerhub operator domains ...`: the operator verifies a partner's domains (issue 12, F5), the only ones in
which the partner's users have e-mail addresses."""

from __future__ import annotations

from typing import Annotated

import typer

from partnerhub.cli.acting import as_system
from partnerhub.cli.output import JsonOption, console, print_json, print_table
from partnerhub.tenants.domains import add_partner_domain, list_partner_domains, remove_partner_domain
from partnerhub.tenants.service import tenant_name_of_partner

domains_app = typer.Typer(
    help="A partner's verified domains: its users' e-mail addresses are in them.", no_args_is_help=True
)

PartnerArg = Annotated[str, typer.Argument(help="The partner's id (operator list-partners).")]
DomainArg = Annotated[str, typer.Argument(help="A domain name, e.g. contoso.com.")]


@domains_app.command("list")
def domains_list(partner_id: PartnerArg, json_: JsonOption = False) -> None:
    """List a partner's verified domains."""
    with as_system(write=False) as (session, actor):
        rows = list_partner_domains(session, actor, partner_id=partner_id)
        name = tenant_name_of_partner(session, actor, partner_id=partner_id)
    data = [{"domain": r.domain, "partnerId": r.partner_id} for r in rows]
    if json_:
        print_json(data)
    else:
        print_table(
            f"Verified domains of {name}",
            ["Domain", "Verified on"],
            [(r.domain, r.created_at.date().isoformat()) for r in rows],
        )


@domains_app.command("add")
def domains_add(partner_id: PartnerArg, domain: DomainArg, json_: JsonOption = False) -> None:
    """Verify a domain as the partner's: refused if it is another tenant's, or if users of other tenants have
    addresses in it."""
    with as_system() as (session, actor):
        row = add_partner_domain(session, actor, partner_id=partner_id, domain=domain)
        name = tenant_name_of_partner(session, actor, partner_id=row.partner_id)
    if json_:
        print_json({"domain": row.domain, "partnerId": row.partner_id})
    else:
        console.print(f"{row.domain} is now a verified domain of {name}.")


@domains_app.command("remove")
def domains_remove(partner_id: PartnerArg, domain: DomainArg, json_: JsonOption = False) -> None:
    """Remove a verified domain (a partner keeps at least one); its users keep their addresses."""
    with as_system() as (session, actor):
        remove_partner_domain(session, actor, partner_id=partner_id, domain=domain)
        name = tenant_name_of_partner(session, actor, partner_id=partner_id)
    if json_:
        print_json({"domain": domain.strip().lower(), "partnerId": partner_id, "removed": True})
    else:
        console.print(f"{domain.strip().lower()} is no longer a verified domain of {name}.")
