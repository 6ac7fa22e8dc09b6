"""Commands for delegated admin: GDAP admin relationships and access assignments, security groups, DAP
removal, and the customer tenant's users administered through them."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from partnerhub.cli.acting import AsOption, acting, as_system
from partnerhub.cli.output import JsonOption, console, fmt_time, print_fields, print_json, print_table
from partnerhub.clock import utc_now
from partnerhub.delegated_admin.models import AdminRelationship, SecurityGroup
from partnerhub.delegated_admin.queries import customer_name_unscoped
from partnerhub.delegated_admin.role_catalog import refresh_role_catalog
from partnerhub.delegated_admin.schemas import (
    access_assignment_dict,
    admin_relationship_dict,
    customer_user_dict,
    parse_iso_days,
    role_names,
    security_group_dict,
)
from partnerhub.delegated_admin.service import (
    add_group_member,
    apply_gdap_clock,
    approve_admin_relationship,
    create_access_assignment,
    create_admin_relationship,
    create_customer_user,
    create_security_group,
    delete_access_assignment,
    get_admin_relationship,
    list_access_assignments,
    list_admin_relationships,
    list_customer_users,
    list_security_groups,
    lock_for_approval,
    reject_admin_relationship,
    remove_delegated_admin,
    remove_group_member,
    reset_customer_user_password,
    terminate_admin_relationship,
    update_access_assignment,
    update_admin_relationship,
)

gdap_app = typer.Typer(help="GDAP: granular, time-bound admin relationships with customers.", no_args_is_help=True)
groups_app = typer.Typer(help="Security groups of your partner tenant (for GDAP access).", no_args_is_help=True)
dap_app = typer.Typer(help="DAP: the delegated admin privileges of a reseller relationship.", no_args_is_help=True)
customer_users_app = typer.Typer(
    help="Users of a customer tenant, administered through DAP, GDAP or as its Global admin.", no_args_is_help=True
)

Opt = typer.Option
Arg = typer.Argument
RelArg = Annotated[str, Arg(help="Admin relationship id.")]
CustomerArg = Annotated[str, Arg(help="Customer id (tenant id).")]
GroupArg = Annotated[str, Arg(help="Security group id.")]
RoleOpt = Annotated[list[str], Opt("--role", help="A built-in role: template id or name (repeat for more).")]
REL_COLUMNS = ["Id", "Name", "Customer", "Status", "Roles", "Duration", "Auto-extend", "Ends"]


def _rel_dict(session: Session, rel: AdminRelationship) -> dict[str, Any]:
    return admin_relationship_dict(rel, customer_name=customer_name_unscoped(session, rel.customer_id), now=utc_now())


def _rel_row(d: dict[str, Any]) -> tuple[Any, ...]:
    roles = [r["roleDefinitionId"] for r in d["accessDetails"]["unifiedRoles"]]
    return (
        d["id"],
        d["displayName"],
        d["customer"]["displayName"],
        d["status"],
        role_names(roles),
        d["duration"],
        d["autoExtendDuration"],
        fmt_time(d["endDateTime"]),
    )


def _print_rel(d: dict[str, Any], json_: bool, title: str = "Admin relationship") -> None:
    if json_:
        print_json(d)
        return
    roles = [r["roleDefinitionId"] for r in d["accessDetails"]["unifiedRoles"]]
    print_fields(
        title,
        [
            ("Id", d["id"]),
            ("Name", d["displayName"]),
            ("Customer", f"{d['customer']['displayName']} ({d['customer']['tenantId']})"),
            ("Status", d["status"]),
            ("Roles", role_names(roles)),
            ("Duration", d["duration"]),
            ("Auto-extend", d["autoExtendDuration"]),
            ("Created", fmt_time(d["createdDateTime"])),
            ("Activated", fmt_time(d["activatedDateTime"])),
            ("Ends", fmt_time(d["endDateTime"])),
        ],
    )


@gdap_app.command("roles")
def gdap_roles(
    search: Annotated[str | None, Opt("--search", help="Only roles whose name contains this text.")] = None,
    json_: JsonOption = False,
) -> None:
    """The Microsoft Entra roles an admin relationship can ask for, by group (the operator's catalog)."""
    with as_system(write=False) as (session, _):
        catalog = refresh_role_catalog(session)
    key = (search or "").strip().lower()
    rows = [(group, r) for group, roles in catalog.grouped() for r in roles if key in r.name.lower()]
    if json_:
        print_json([{"roleDefinitionId": r.id, "displayName": r.name, "category": group} for group, r in rows])
    else:
        print_table("GDAP roles", ["Group", "Role", "Template id"], [(group, r.name, r.id) for group, r in rows])


@gdap_app.command("create")
def gdap_create(
    as_: AsOption,
    customer_id: CustomerArg,
    name: Annotated[str, Opt("--name", help="Display name, unique among yours (1-50 characters).")],
    role: RoleOpt,
    duration: Annotated[str, Opt(help="How long it lasts once approved: days or ISO 8601 (P1D to P730D).")] = "P730D",
    auto_extend: Annotated[str, Opt(help="PT0S (none) or P180D; not with Global Administrator.")] = "PT0S",
    json_: JsonOption = False,
) -> None:
    """Draft an admin relationship with a customer (status created); lock it to ask for approval."""
    with acting(as_) as (session, actor):
        rel = create_admin_relationship(
            session,
            actor,
            customer_id=customer_id,
            display_name=name,
            role_ids=role,
            duration_days=parse_iso_days(duration),
            auto_extend_days=parse_iso_days(auto_extend),
        )
        data = _rel_dict(session, rel)
    _print_rel(data, json_, "Admin relationship created")


@gdap_app.command("update")
def gdap_update(
    as_: AsOption,
    admin_relationship_id: RelArg,
    name: Annotated[str | None, Opt("--name", help="New display name (while created).")] = None,
    role: Annotated[list[str] | None, Opt("--role", help="New roles, replacing the old ones (while created).")] = None,
    duration: Annotated[str | None, Opt(help="New duration: days or ISO 8601 (while created).")] = None,
    auto_extend: Annotated[str | None, Opt(help="PT0S or P180D (while created or active).")] = None,
    json_: JsonOption = False,
) -> None:
    """Change an admin relationship: its terms while created, its auto-extend while active."""
    with acting(as_) as (session, actor):
        rel = update_admin_relationship(
            session,
            actor,
            admin_relationship_id=admin_relationship_id,
            display_name=name,
            role_ids=role,
            duration_days=parse_iso_days(duration) if duration else None,
            auto_extend_days=parse_iso_days(auto_extend) if auto_extend else None,
        )
        data = _rel_dict(session, rel)
    _print_rel(data, json_, "Admin relationship updated")


@gdap_app.command("list")
def gdap_list(
    as_: AsOption,
    customer_id: Annotated[str | None, Opt(help="Only those with this customer (partners).")] = None,
    status: Annotated[str | None, Opt(help="created|approvalPending|active|expiring|expired|terminated")] = None,
    json_: JsonOption = False,
) -> None:
    """Your admin relationships (as a partner), or those in your tenant (as a customer's Global admin)."""
    with acting(as_, write=False) as (session, actor):
        rows = [
            _rel_dict(session, r)
            for r in list_admin_relationships(session, actor, customer_id=customer_id, status=status)
        ]
    if json_:
        print_json({"value": rows})
    else:
        print_table("Admin relationships", REL_COLUMNS, [_rel_row(d) for d in rows])


@gdap_app.command("show")
def gdap_show(as_: AsOption, admin_relationship_id: RelArg, json_: JsonOption = False) -> None:
    """One admin relationship."""
    with acting(as_, write=False) as (session, actor):
        data = _rel_dict(session, get_admin_relationship(session, actor, admin_relationship_id=admin_relationship_id))
    _print_rel(data, json_)


@gdap_app.command("lock")
def gdap_lock(as_: AsOption, admin_relationship_id: RelArg, json_: JsonOption = False) -> None:
    """Lock a created relationship for approval (approvalPending): the customer can now approve it."""
    with acting(as_) as (session, actor):
        data = _rel_dict(session, lock_for_approval(session, actor, admin_relationship_id=admin_relationship_id))
    _print_rel(data, json_, "Admin relationship locked for approval")


@gdap_app.command("approve")
def gdap_approve(as_: AsOption, admin_relationship_id: RelArg, json_: JsonOption = False) -> None:
    """As the customer's Global admin, approve a pending relationship: it becomes active."""
    with acting(as_) as (session, actor):
        data = _rel_dict(
            session, approve_admin_relationship(session, actor, admin_relationship_id=admin_relationship_id)
        )
    _print_rel(data, json_, "Admin relationship approved")


@gdap_app.command("reject")
def gdap_reject(as_: AsOption, admin_relationship_id: RelArg, json_: JsonOption = False) -> None:
    """As the customer's Global admin, decline a pending relationship."""
    with acting(as_) as (session, actor):
        data = _rel_dict(
            session, reject_admin_relationship(session, actor, admin_relationship_id=admin_relationship_id)
        )
    _print_rel(data, json_, "Admin relationship rejected")


@gdap_app.command("terminate")
def gdap_terminate(as_: AsOption, admin_relationship_id: RelArg, json_: JsonOption = False) -> None:
    """End an active relationship (partner or customer); the reseller relationship stays."""
    with acting(as_) as (session, actor):
        data = _rel_dict(
            session, terminate_admin_relationship(session, actor, admin_relationship_id=admin_relationship_id)
        )
    _print_rel(data, json_, "Admin relationship terminated")


@gdap_app.command("assign")
def gdap_assign(
    as_: AsOption,
    admin_relationship_id: RelArg,
    group: Annotated[str, Opt("--group", help="Security group id.")],
    role: RoleOpt,
    json_: JsonOption = False,
) -> None:
    """Give a security group some of the relationship's roles (an access assignment)."""
    with acting(as_) as (session, actor):
        a = create_access_assignment(
            session, actor, admin_relationship_id=admin_relationship_id, security_group_id=group, role_ids=role
        )
        data = access_assignment_dict(a, group_name=_group_name(session, a.security_group_id))
    _print_assignments([data], json_, single=True)


@gdap_app.command("reassign")
def gdap_reassign(
    as_: AsOption,
    access_assignment_id: Annotated[str, Arg(help="Access assignment id.")],
    role: RoleOpt,
    json_: JsonOption = False,
) -> None:
    """Change the roles of an access assignment."""
    with acting(as_) as (session, actor):
        a = update_access_assignment(session, actor, access_assignment_id=access_assignment_id, role_ids=role)
        data = access_assignment_dict(a, group_name=_group_name(session, a.security_group_id))
    _print_assignments([data], json_, single=True)


@gdap_app.command("assignments")
def gdap_assignments(as_: AsOption, admin_relationship_id: RelArg, json_: JsonOption = False) -> None:
    """The access assignments of an admin relationship."""
    with acting(as_, write=False) as (session, actor):
        rows = [
            access_assignment_dict(v.assignment, group_name=v.group_name)
            for v in list_access_assignments(session, actor, admin_relationship_id=admin_relationship_id)
        ]
    _print_assignments(rows, json_)


@gdap_app.command("unassign")
def gdap_unassign(
    as_: AsOption, access_assignment_id: Annotated[str, Arg(help="Access assignment id.")], json_: JsonOption = False
) -> None:
    """Delete an access assignment: the group's members lose its roles at once."""
    with acting(as_) as (session, actor):
        a = delete_access_assignment(session, actor, access_assignment_id=access_assignment_id)
    if json_:
        print_json({"id": a.id, "status": a.status})
    else:
        console.print(f"Access assignment {a.id} deleted.")


@gdap_app.command("clock")
def gdap_clock(json_: JsonOption = False) -> None:
    """Extend or expire admin relationships whose time has come (the scheduled job, run now)."""
    with as_system() as (session, _actor):
        counts = apply_gdap_clock(session, now=utc_now(), limit=100_000)
    if json_:
        print_json(counts)
    else:
        console.print(
            f"{counts['extended']} extended, {counts['expired']} expired, "
            f"{counts['requestsExpired']} unapproved request(s) expired."
        )


def _group_name(session: Session, group_id: str) -> str:
    group = session.get(SecurityGroup, group_id)
    return group.display_name if group else group_id


def _print_assignments(rows: list[dict[str, Any]], json_: bool, *, single: bool = False) -> None:
    if json_:
        print_json(rows[0] if single else {"value": rows})
        return
    print_table(
        "Access assignments",
        ["Id", "Security group", "Roles", "Status"],
        [
            (
                d["id"],
                d["accessContainer"]["displayName"],
                role_names([r["roleDefinitionId"] for r in d["accessDetails"]["unifiedRoles"]]),
                d["status"],
            )
            for d in rows
        ],
    )


# --- security groups ------------------------------------------------------------------------------------

UserOpt = Annotated[str, Opt("--user", help="E-mail (or id) of a user of your partner tenant.")]


@groups_app.command("create")
def groups_create(
    as_: AsOption,
    name: Annotated[str, Opt("--name", help="Group name (1-100 characters).")],
    json_: JsonOption = False,
) -> None:
    """Create a security group in your partner tenant."""
    with acting(as_) as (session, actor):
        g = create_security_group(session, actor, display_name=name)
        data = security_group_dict(g, members=[])
    if json_:
        print_json(data)
    else:
        console.print(f"Security group {g.display_name} created: {g.id}")


@groups_app.command("list")
def groups_list(as_: AsOption, json_: JsonOption = False) -> None:
    """Your security groups and their members."""
    with acting(as_, write=False) as (session, actor):
        rows = [security_group_dict(v.group, members=v.members) for v in list_security_groups(session, actor)]
    if json_:
        print_json({"value": rows})
    else:
        print_table(
            "Security groups",
            ["Id", "Name", "Members"],
            [(d["id"], d["displayName"], ", ".join(m["userPrincipalName"] for m in d["members"])) for d in rows],
        )


GroupEtagOpt = Annotated[str | None, Opt("--etag", help="Refuse if the group changed since this @odata.etag.")]


def _member_change(as_: str, group_id: str, user: str, json_: bool, *, add: bool, etag: str | None = None) -> None:
    with acting(as_) as (session, actor):
        fn = add_group_member if add else remove_group_member
        g = fn(session, actor, security_group_id=group_id, user=user, etag=etag)
        data = security_group_dict(
            g, members=next(v.members for v in list_security_groups(session, actor) if v.group.id == g.id)
        )
    if json_:
        print_json(data)
    else:
        console.print(f"{user} {'added to' if add else 'removed from'} {g.display_name}.")


@groups_app.command("add-member")
def groups_add_member(
    as_: AsOption, group_id: GroupArg, user: UserOpt, etag: GroupEtagOpt = None, json_: JsonOption = False
) -> None:
    """Add a user of your tenant to a security group: it gets the group's GDAP roles."""
    _member_change(as_, group_id, user, json_, add=True, etag=etag)


@groups_app.command("remove-member")
def groups_remove_member(
    as_: AsOption, group_id: GroupArg, user: UserOpt, etag: GroupEtagOpt = None, json_: JsonOption = False
) -> None:
    """Remove a user from a security group: it loses the group's GDAP roles at once."""
    _member_change(as_, group_id, user, json_, add=False, etag=etag)


# --- DAP ------------------------------------------------------------------------------------------------


@dap_app.command("remove")
def dap_remove(
    as_: AsOption,
    customer_id: CustomerArg,
    partner_id: Annotated[str | None, Opt(help="The partner (for a customer's Global admin).")] = None,
    json_: JsonOption = False,
) -> None:
    """Remove delegated admin privileges (DAP) while keeping the reseller relationship."""
    with acting(as_) as (session, actor):
        rel = remove_delegated_admin(session, actor, customer_id=customer_id, partner_id=partner_id)
    if json_:
        print_json(
            {
                "partnerId": rel.partner_id,
                "customerId": rel.customer_id,
                "relationshipToPartner": "reseller",
                "allowDelegatedAccess": rel.has_delegated_admin,
            }
        )
    else:
        console.print("Delegated admin privileges removed; the reseller relationship stays.")


# --- customer users -------------------------------------------------------------------------------------


@customer_users_app.command("list")
def customer_users_list(as_: AsOption, customer_id: CustomerArg, json_: JsonOption = False) -> None:
    """The users of a customer tenant (needs a directory-reading role there)."""
    with acting(as_, write=False) as (session, actor):
        rows = [customer_user_dict(u) for u in list_customer_users(session, actor, customer_id=customer_id)]
    if json_:
        print_json({"totalCount": len(rows), "items": rows, "attributes": {"objectType": "Collection"}})
    else:
        print_table(
            "Customer users",
            ["User name", "Display name", "Roles", "Id"],
            [(d["userPrincipalName"], d["displayName"], ", ".join(d["roles"]), d["id"]) for d in rows],
        )


@customer_users_app.command("create")
def customer_users_create(
    as_: AsOption,
    customer_id: CustomerArg,
    user_name: Annotated[str, Opt("--user-name", help="name or name@<customer domain>.")],
    display_name: Annotated[str, Opt(help="Display name.")] = "",
    json_: JsonOption = False,
) -> None:
    """Create a user in a customer tenant; prints its one-time password (shown once)."""
    with acting(as_) as (session, actor):
        user, password = create_customer_user(
            session, actor, customer_id=customer_id, user_name=user_name, display_name=display_name
        )
        data = {**customer_user_dict(user), "passwordProfile": {"password": password}}
    if json_:
        print_json(data)
    else:
        console.print(f"User {user.email} created. One-time password: [bold]{password}[/]")


@customer_users_app.command("reset-password")
def customer_users_reset_password(
    as_: AsOption,
    customer_id: CustomerArg,
    user: Annotated[str, Opt("--user", help="User name (e-mail) or id.")],
    json_: JsonOption = False,
) -> None:
    """Give a customer tenant's user a new one-time password (shown once)."""
    with acting(as_) as (session, actor):
        target, password = reset_customer_user_password(session, actor, customer_id=customer_id, user=user)
        data = {**customer_user_dict(target), "passwordProfile": {"password": password}}
    if json_:
        print_json(data)
    else:
        console.print(f"New one-time password for {target.email}: [bold]{password}[/]")
