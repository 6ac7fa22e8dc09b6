"""Customers: company and billing profiles of customer tenants, seen through a partner's relationships."""
