"""Customers: the searchable, paged list (company name, domain or customer id), its CSV export, and the
selection that starts a bulk offboarding or a GDAP bulk job."""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import Response

from partnerhub.customers.export import customer_csv_rows
from partnerhub.customers.queries import CustomerPage, CustomerRow, SearchField
from partnerhub.customers.service import find_customer_by_id, list_customers, may_create_customers
from partnerhub.errors import InvalidInput
from partnerhub.http.web.context import SignedIn, WebCtx
from partnerhub.http.web.downloads import csv_download
from partnerhub.http.web.errors import WebRoute
from partnerhub.http.web.gdap_bulk import action_options
from partnerhub.locale import N_
from partnerhub.paging import decode_cursor, encode_cursor
from partnerhub.usecases.gdap_bulk import may_manage_gdap
from partnerhub.usecases.remove_reseller_relationship import may_remove

router = APIRouter(route_class=WebRoute, include_in_schema=False)

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
PAGE_SIZES = (25, 50, 100, 500)
SEARCH_FIELDS = (("company", N_("Company name")), ("domain", N_("Domain")), ("id", N_("Customer ID")))


def _search(ctx: WebCtx, *, q: str, field: str, size: int, after: str) -> tuple[CustomerPage, str]:
    actor = ctx.require_actor()
    q = q.strip()[:200]
    session = ctx.session
    if field == "id" or GUID.match(q):
        found = find_customer_by_id(session, actor, customer_id=q) if GUID.match(q) else None
        if found is None or found.relationship is None:
            return CustomerPage([], None), "id"
        return CustomerPage([CustomerRow(found.customer, found.relationship)], None), "id"
    search_field: SearchField = "domain" if field == "domain" else "company"
    cursor = tuple(decode_cursor(after, 2)) if after else None
    page = list_customers(
        session,
        actor,
        size=size,
        after=cursor,  # type: ignore[arg-type]
        prefix=q or None,
        field=search_field,
    )
    return page, search_field


@router.get("/customers")
def customer_list(ctx: SignedIn, q: str = "", field: str = "company", size: int = 25, after: str = "") -> Response:
    if size not in PAGE_SIZES:
        raise InvalidInput(detail=f"size must be one of {', '.join(map(str, PAGE_SIZES))}")
    page, used_field = _search(ctx, q=q, field=field, size=size, after=after)
    next_after = encode_cursor(list(page.next_cursor)) if page.next_cursor else None
    return ctx.render(
        "customers/list.html",
        page=page,
        q=q,
        field=used_field,
        size=size,
        after=after,
        next_after=next_after,
        search_fields=SEARCH_FIELDS,
        page_sizes=PAGE_SIZES,
        may_offboard=may_remove(ctx.session, ctx.require_actor()),
        gdap_actions=action_options(ctx) if may_manage_gdap(ctx.require_actor()) else [],
        may_add=may_create_customers(ctx.require_actor()),
        breadcrumbs=[(None, ctx.t("Customers"))],
    )


@router.get("/customers/export.csv")
def customer_export(ctx: SignedIn, q: str = "", field: str = "company") -> Response:
    actor = ctx.require_actor()
    search_field: SearchField = "domain" if field == "domain" else "company"
    prefix = q.strip()[:200] or None
    # refuse before the download starts, not halfway through it
    list_customers(ctx.session, actor, size=1, prefix=prefix, field=search_field)

    return csv_download(
        ctx.runtime,
        "customers.csv",
        lambda session: customer_csv_rows(session, actor, prefix=prefix, field=search_field),
    )
