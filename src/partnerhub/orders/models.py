"""Order and its line items."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from partnerhub.db import Base, UTCDateTime


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_customer_partner_created", "customer_id", "partner_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    billing_cycle: Mapped[str] = mapped_column(String(16))
    currency_code: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(16), default="completed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_user_id: Mapped[str | None] = mapped_column(String(36))


class OrderLineItem(Base):
    __tablename__ = "order_line_items"

    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    line_item_number: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]
    friendly_name: Mapped[str] = mapped_column(String(200))
    term_duration: Mapped[str] = mapped_column(String(8))
    parent_subscription_id: Mapped[str | None] = mapped_column(String(36))
    partner_id_on_record: Mapped[str | None] = mapped_column(String(16))
    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id"))
