"""The indirect model: partnerships between indirect providers and indirect resellers."""
