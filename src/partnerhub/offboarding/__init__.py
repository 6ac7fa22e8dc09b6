"""Offboarding: suspend everything and remove the relationship in one step, for one customer or many."""
