"""Subscriptions bought on behalf of customers: status rules, add-ons, quantity, friendly name."""
