"""Tenants: partners and customers, each an organisation with a GUID id."""
