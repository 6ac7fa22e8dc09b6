"""Orders of one customer: the Orders tab (each order with its line items and the subscriptions they created)
and New order (offers from the catalog, several line items, add-ons under a parent subscription)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session

from partnerhub.auth.actor import Actor
from partnerhub.catalog.models import Offer
from partnerhub.catalog.service import CYCLES, list_offers
from partnerhub.customers.models import Customer
from partnerhub.customers.service import get_customer
from partnerhub.errors import (
    CustomerNotFound,
    DomainError,
    ResellerNotRelatedToCustomer,
    ResellerOfRecordNotAllowed,
    UnknownResellerOfRecord,
)
from partnerhub.http.web.context import Form, SignedIn, WebCtx
from partnerhub.http.web.customer_pages import crumbs
from partnerhub.http.web.errors import STATUS_OF_KIND, WebRoute
from partnerhub.http.web.forms import FormState
from partnerhub.http.web.rendering import BILLING_LABELS, TERM_LABELS
from partnerhub.locale import N_
from partnerhub.orders.schemas import LineItemInput
from partnerhub.orders.service import check_line_items, create_order, list_orders
from partnerhub.subscriptions.queries import SubscriptionFields
from partnerhub.subscriptions.service import list_subscriptions

router = APIRouter(route_class=WebRoute, include_in_schema=False)

LINES, MAX_LINES = 3, 10
PLACED = N_("Order placed: {count} subscriptions created.")
ADDON_OF = N_("{name} (add-on of {parent})")
OFFER_DEFAULT = N_("Offer's default")
NO_PARENT = N_("None (not an add-on)")
CHOOSE_OFFER = N_("Choose an offer")
NO_LINES = N_("Choose an offer for at least one line item.")
OFFER_FOR_LINE = N_("Choose an offer for this line, or clear the line.")
RESELLERS_ORDER_NOT = N_(
    "As an indirect reseller you do not place orders: your indirect provider orders for "
    "your customers and names you as reseller of record."
)
RESELLER_FIELDS: dict[type[DomainError], str] = {
    UnknownResellerOfRecord: "reseller_mpn_id",
    ResellerOfRecordNotAllowed: "reseller_mpn_id",
    ResellerNotRelatedToCustomer: "reseller_mpn_id",
}


def _customer_for_orders(session: Session, actor: Actor, customer_id: str) -> Customer:
    """The customer, or the refusal the contract gives on orders: a former partner learns that purchases
    are refused (20002), anyone else that the customer was not found."""
    try:
        return get_customer(session, actor, customer_id=customer_id).customer
    except CustomerNotFound:
        list_orders(session, actor, customer_id=customer_id)  # raises NoCommerceRelationship or not-found
        raise


@router.get("/customers/{customer_id}/orders")
def orders_page(ctx: SignedIn, customer_id: str) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    customer = _customer_for_orders(session, actor, customer_id)
    orders = list_orders(session, actor, customer_id=customer.id)
    offer_names = {o.id: o.name for o in list_offers(session)}
    return ctx.render(
        "orders/list.html",
        customer=customer,
        orders=orders,
        offer_names=offer_names,
        breadcrumbs=crumbs(ctx, customer, (None, ctx.t("Orders"))),
    )


@dataclass
class OrderView:
    """What the New order form offers: the catalog and the customer's subscriptions that can take add-ons."""

    customer: Customer
    offers: dict[str, Offer]
    parents: list[SubscriptionFields]

    def offer_options(self, ctx: WebCtx) -> list[tuple[str, str]]:
        options = [("", ctx.t(CHOOSE_OFFER))]
        for o in self.offers.values():
            parent = self.offers.get(o.parent_offer_id or "")
            label = ctx.t(ADDON_OF, name=o.name, parent=parent.name) if parent else o.name
            options.append((o.id, label))
        return options

    def parent_options(self, ctx: WebCtx) -> list[tuple[str, str]]:
        return [("", ctx.t(NO_PARENT)), *((s.id, f"{s.friendly_name} — {s.offer_name}") for s in self.parents)]


def _order_view(session: Session, actor: Actor, customer_id: str) -> OrderView:
    customer = _customer_for_orders(session, actor, customer_id)
    offers = {o.id: o for o in list_offers(session)}
    parent_offers = {o.parent_offer_id for o in offers.values() if o.parent_offer_id}
    page = list_subscriptions(session, actor, customer_id=customer.id, size=500, status="active")
    parents = [s for s in page.items if s.offer_id in parent_offers]
    return OrderView(customer, offers, parents)


def _render_new(ctx: WebCtx, view: OrderView, form: FormState, lines: int, status_code: int = 200) -> Response:
    actor = ctx.require_actor()
    terms = [("", ctx.t(OFFER_DEFAULT)), *((t, ctx.t(label)) for t, label in TERM_LABELS.items())]
    cycles = [
        ("", ctx.t(OFFER_DEFAULT)),
        *((c, ctx.t(BILLING_LABELS.get(c.replace("_", ""), c))) for c in CYCLES if c != "none"),
    ]
    return ctx.render(
        "orders/new.html",
        status_code=status_code,
        customer=view.customer,
        form=form,
        lines=lines,
        max_lines=MAX_LINES,
        offer_options=view.offer_options(ctx),
        parent_options=view.parent_options(ctx),
        term_options=terms,
        cycle_options=cycles,
        offers=view.offers,
        names_reseller=actor.partner_type == "indirect-provider",
        reseller_notice=ctx.t(RESELLERS_ORDER_NOT) if actor.partner_type == "indirect-reseller" else "",
        breadcrumbs=crumbs(
            ctx, view.customer, (f"/customers/{view.customer.id}/orders", ctx.t("Orders")), (None, ctx.t("New order"))
        ),
    )


@router.get("/customers/{customer_id}/orders/new")
def new_order_page(ctx: SignedIn, customer_id: str) -> Response:
    actor = ctx.require_actor()
    session = ctx.session
    view = _order_view(session, actor, customer_id)
    form = FormState(ctx, {"quantity_0": "1"})
    return _render_new(ctx, view, form, LINES)


def _line(state: FormState, view: OrderView, i: int) -> LineItemInput | None:
    """Line `i` as typed (its shape only: the catalog's rules are the service's); None for an empty line."""
    offer_id = state.text(f"offer_{i}", required=False, limit=64)
    name = state.text(f"friendly_name_{i}", required=False, limit=200)
    parent_id = state.text(f"parent_{i}", required=False, limit=64)
    term = state.text(f"term_{i}", required=False, limit=8)
    if not offer_id:
        if name or parent_id:
            state.fail(f"offer_{i}", OFFER_FOR_LINE)
        return None
    if offer_id not in view.offers:
        state.choice(f"offer_{i}", list(view.offers))  # not an offer of the catalog: "choose one of the options"
        return None
    quantity = state.integer(f"quantity_{i}", low=1, high=1_000_000)
    if quantity is None:
        return None
    return LineItemInput(
        offer_id=offer_id,
        quantity=quantity,
        friendly_name=name or None,
        term_duration=term or None,
        parent_subscription_id=parent_id or None,
    )


# The field of the form each kind of line-item problem (orders/service.py check_line_items) is shown beside.
PROBLEM_FIELDS = {
    "offer": "offer_{i}",
    "quantity": "quantity_{i}",
    "term": "term_{i}",
    "parent": "parent_{i}",
    "billingCycle": "billing_cycle",
}


def _lines_of(state: FormState) -> int:
    try:
        return min(max(int(str(state.values.get("lines", LINES))), LINES), MAX_LINES)
    except ValueError:
        return LINES


@router.post("/customers/{customer_id}/orders/new")
def place_order(ctx: SignedIn, form: Form, customer_id: str) -> Response:
    actor = ctx.require_actor()
    state = FormState.from_form(ctx, form)
    session = ctx.session
    view = _order_view(session, actor, customer_id)
    lines = _lines_of(state)
    if state.values.get("add_line"):  # "Add a line item": the same form, one line longer, nothing placed
        return _render_new(ctx, view, state, min(lines + 1, MAX_LINES))
    cycle = state.choice("billing_cycle", [c for c in CYCLES if c != "none"], required=False)
    reseller = state.text("reseller_mpn_id", required=False, limit=16)
    items: list[LineItemInput] = []
    form_lines: list[int] = []  # the form's line number of each item
    for i in range(lines):
        line = _line(state, view, i)
        if line is not None:
            items.append(line)
            form_lines.append(i)
    if not items and state.ok:
        state.fail("offer_0", NO_LINES)
    if state.ok:
        session = ctx.session
        problems = check_line_items(
            session, actor, customer_id=view.customer.id, line_items=items, billing_cycle=cycle or None
        )
        for problem in problems:
            name = PROBLEM_FIELDS[problem.field].format(i=form_lines[problem.index])
            state.errors.setdefault(name, problem.error.render(ctx.locale))
    if not state.ok:
        return _render_new(ctx, view, state, lines, 400)
    for item in items:
        item.partner_id_on_record = reseller or None
    try:
        with ctx.attempt() as session:
            _order, _items, subs = create_order(
                session, actor, customer_id=view.customer.id, line_items=items, billing_cycle=cycle or None
            )
    except DomainError as exc:
        # 20002 when the relationship was removed since the form was shown: the message says so
        state.domain_error(exc, field_of=RESELLER_FIELDS)
        return _render_new(ctx, view, state, lines, STATUS_OF_KIND.get(exc.kind, 400))
    return ctx.redirect(f"/customers/{view.customer.id}/orders", flash=ctx.t(PLACED, count=len(subs)))
