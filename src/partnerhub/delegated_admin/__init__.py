"""Delegated admin privileges: DAP flags, GDAP admin relationships, security groups, access assignments."""
