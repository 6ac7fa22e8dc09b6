"""Delegated admin: DAP, GDAP, access assignments, the check, and customer users."""
