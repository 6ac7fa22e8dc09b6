"""The partner's customer list as CSV rows (the Customers page's Export): every page of the search, read in
keyset order, with formula cells defused."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy.orm import Session

from partnerhub.audit.service import defuse_cells
from partnerhub.auth.actor import Actor
from partnerhub.customers.queries import SearchField
from partnerhub.customers.service import list_customers

CSV_COLUMNS = (
    "customerId",
    "companyName",
    "domain",
    "country",
    "language",
    "relationshipSince",
    "allowDelegatedAccess",
)


def customer_csv_rows(
    session: Session, actor: Actor, *, prefix: str | None = None, field: SearchField = "company"
) -> Iterator[Sequence[str]]:
    """The header row, then one row per customer in the list (all pages), safe to open in a spreadsheet."""
    yield CSV_COLUMNS
    after: tuple[str, str] | None = None
    while True:
        page = list_customers(session, actor, size=500, after=after, prefix=prefix, field=field)
        for row in page.items:
            c, rel = row.customer, row.relationship
            yield defuse_cells(
                [
                    c.id,
                    c.company_name,
                    c.domain,
                    c.country,
                    c.language,
                    rel.activated_at.date().isoformat(),
                    "true" if rel.has_delegated_admin else "false",
                ]
            )
        if page.next_cursor is None:
            return
        after = page.next_cursor
