"""The partner's dashboard figures."""
