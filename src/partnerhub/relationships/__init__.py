"""Reseller relationships between a partner and a customer, with their history, and their removal."""
