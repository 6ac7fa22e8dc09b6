"""Who acts: users, roles, passwords, API tokens and the Actor passed to every service."""
