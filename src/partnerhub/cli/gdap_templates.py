"""Commands for GDAP templates (`partnerhub gdap templates ...`), requesting from one (`gdap request`),
renewing a relationship (`gdap renew`), and the operator's role catalog (`operator gdap-roles ...`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from partnerhub.cli.acting import AsOption, acting, as_system
from partnerhub.cli.delegated_admin import _print_rel, _rel_dict, gdap_app
from partnerhub.cli.output import JsonOption, console, print_fields, print_json, print_table
from partnerhub.delegated_admin.models import GdapTemplate
from partnerhub.delegated_admin.role_catalog import import_role_catalog_file, list_role_catalog
from partnerhub.delegated_admin.schemas import parse_iso_days, role_names
from partnerhub.delegated_admin.template_schemas import template_dict
from partnerhub.delegated_admin.templates import (
    TemplateAssignment,
    create_template,
    delete_template,
    get_template,
    list_templates,
    renew_relationship,
    request_from_template,
    template_groups,
    update_template,
)
from partnerhub.errors import InvalidInput

templates_app = typer.Typer(
    help="GDAP templates: roles, duration, auto-extend and security groups, reused.", no_args_is_help=True
)
gdap_roles_app = typer.Typer(
    help="The catalog of Microsoft Entra roles GDAP relationships can ask for.", no_args_is_help=True
)
gdap_app.add_typer(templates_app, name="templates")

Opt = typer.Option
TemplateArg = Annotated[str, typer.Argument(help="Template id or name.")]
GroupOpt = Annotated[
    list[str] | None,
    Opt(
        "--group",
        help=(
            "A security group (id or name) and the template's roles its members get: 'Tier 1=Helpdesk Administrator,"
            "Global Reader' (repeat for more groups)."
        ),
    ),
]


def _groups(values: list[str] | None) -> list[TemplateAssignment] | None:
    if values is None:
        return None
    out = []
    for value in values:
        group, sep, roles = value.partition("=")
        if not sep or not group.strip():
            raise InvalidInput(detail=f"--group {value!r}: write GROUP=ROLE[,ROLE...]")
        out.append(TemplateAssignment(group.strip(), [r.strip() for r in roles.split(",") if r.strip()]))
    return out


def _dict(session: Session, t: GdapTemplate) -> dict[str, Any]:
    return template_dict(t, group_names=template_groups(session, t))


def _roles_of(d: dict[str, Any]) -> str:
    return role_names([r["roleDefinitionId"] for r in d["accessDetails"]["unifiedRoles"]])


def _print(d: dict[str, Any], json_: bool, title: str = "GDAP template") -> None:
    if json_:
        print_json(d)
        return
    groups = "; ".join(f"{a['accessContainer']['displayName']}: {_roles_of(a)}" for a in d["accessAssignments"])
    print_fields(
        title,
        [
            ("Id", d["id"]),
            ("Name", d["displayName"]),
            ("Roles", _roles_of(d)),
            ("Duration", d["duration"]),
            ("Auto-extend", d["autoExtendDuration"]),
            ("Security groups", groups or "-"),
        ],
    )


@templates_app.command("list")
def templates_list(as_: AsOption, json_: JsonOption = False) -> None:
    """Your GDAP templates, by name."""
    with acting(as_, write=False) as (session, actor):
        data = [_dict(session, t) for t in list_templates(session, actor)]
    if json_:
        print_json(data)
    else:
        print_table(
            "GDAP templates",
            ["Id", "Name", "Roles", "Duration", "Auto-extend", "Groups"],
            [
                (
                    d["id"],
                    d["displayName"],
                    _roles_of(d),
                    d["duration"],
                    d["autoExtendDuration"],
                    len(d["accessAssignments"]),
                )
                for d in data
            ],
        )


@templates_app.command("show")
def templates_show(as_: AsOption, template: TemplateArg, json_: JsonOption = False) -> None:
    """One template, by id or name."""
    with acting(as_, write=False) as (session, actor):
        data = _dict(session, get_template(session, actor, template_id=template))
    _print(data, json_)


@templates_app.command("create")
def templates_create(
    as_: AsOption,
    name: Annotated[str, Opt("--name", help="Unique among your templates (1-100 characters).")],
    role: Annotated[list[str], Opt("--role", help="A role of the catalog: name or template id (repeat).")],
    duration: Annotated[str, Opt(help="Days or ISO 8601 (P1D to P730D).")] = "P730D",
    auto_extend: Annotated[str, Opt(help="PT0S (none) or P180D; not with Global Administrator.")] = "PT0S",
    group: GroupOpt = None,
    json_: JsonOption = False,
) -> None:
    """Save a GDAP template."""
    with acting(as_) as (session, actor):
        t = create_template(
            session,
            actor,
            name=name,
            role_ids=role,
            duration_days=parse_iso_days(duration),
            auto_extend_days=parse_iso_days(auto_extend),
            assignments=_groups(group) or [],
        )
        data = _dict(session, t)
    _print(data, json_, "GDAP template created")


@templates_app.command("update")
def templates_update(
    as_: AsOption,
    template: TemplateArg,
    name: Annotated[str | None, Opt("--name", help="New name.")] = None,
    role: Annotated[list[str] | None, Opt("--role", help="New roles, replacing the old ones.")] = None,
    duration: Annotated[str | None, Opt(help="New duration.")] = None,
    auto_extend: Annotated[str | None, Opt(help="PT0S or P180D.")] = None,
    group: GroupOpt = None,
    json_: JsonOption = False,
) -> None:
    """Change a template (--group replaces all its groups); requests already made keep what they asked for."""
    with acting(as_) as (session, actor):
        t = update_template(
            session,
            actor,
            template_id=template,
            name=name,
            role_ids=role,
            duration_days=parse_iso_days(duration) if duration else None,
            auto_extend_days=parse_iso_days(auto_extend) if auto_extend else None,
            assignments=_groups(group),
        )
        data = _dict(session, t)
    _print(data, json_, "GDAP template updated")


@templates_app.command("delete")
def templates_delete(as_: AsOption, template: TemplateArg) -> None:
    """Delete a template; relationships requested from it are unchanged."""
    with acting(as_) as (session, actor):
        t = delete_template(session, actor, template_id=template)
    console.print(f"GDAP template [bold]{t.name}[/] deleted.")


@gdap_app.command("request")
def gdap_request(
    as_: AsOption,
    template: Annotated[str, Opt("--template", help="Template id or name.")],
    customer: Annotated[str, Opt("--customer", help="Customer id (tenant id).")],
    json_: JsonOption = False,
) -> None:
    """Request an admin relationship from a template: sent for approval; its groups get their roles on approval."""
    with acting(as_) as (session, actor):
        rel = request_from_template(session, actor, template, customer)
        data = _rel_dict(session, rel)
    _print_rel(data, json_, "Admin relationship requested")


@gdap_app.command("renew")
def gdap_renew(
    as_: AsOption,
    admin_relationship_id: Annotated[str, typer.Argument(help="Admin relationship id.")],
    json_: JsonOption = False,
) -> None:
    """Renew an active relationship: a new one without Global Administrator, auto-extend P180D, sent for approval."""
    with acting(as_) as (session, actor):
        rel = renew_relationship(session, actor, admin_relationship_id)
        data = _rel_dict(session, rel)
    _print_rel(data, json_, "Renewal requested")


@gdap_roles_app.command("list")
def gdap_roles_list(json_: JsonOption = False) -> None:
    """The effective role catalog: shipped roles with the operator's changes (retired roles marked)."""
    with as_system(write=False) as (session, _):
        roles = list_role_catalog(session)
    if json_:
        print_json(
            [
                {"roleDefinitionId": r.id, "displayName": r.name, "category": r.category, "retired": r.retired}
                for r in roles
            ]
        )
    else:
        print_table(
            "GDAP roles",
            ["Role", "Template id", "Group", "Retired"],
            [(r.name, r.id, r.category, "yes" if r.retired else "") for r in roles],
        )


@gdap_roles_app.command("import")
def gdap_roles_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="JSON: a list of {roleDefinitionId, displayName, category?}, or "
            "an object with it in 'roles' (as the shipped entra_roles.json)."
        ),
    ],
    replace: Annotated[
        bool,
        Opt(
            "--replace",
            help=("The file is the whole catalog: roles missing from it are removed, or retired if in use."),
        ),
    ] = False,
    json_: JsonOption = False,
) -> None:
    """Add and rename roles of the catalog from a file (all or nothing); roles in use are never dropped."""
    with as_system() as (session, actor):
        outcome = import_role_catalog_file(session, actor, path=file, replace=replace)
    if json_:
        print_json(outcome.as_json())
        return
    for label, names in (
        ("Added", outcome.added),
        ("Renamed", outcome.renamed),
        ("Retired", outcome.retired),
        ("Removed", outcome.removed),
    ):
        console.print(
            f"{label}: {len(names)}"
            + (f" ({', '.join(names[:10])}{'...' if len(names) > 10 else ''})" if names else "")
        )
