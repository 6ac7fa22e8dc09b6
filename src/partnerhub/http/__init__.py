"""HTTP delivery: the ASGI application (health now; the API and the web pages sit here next)."""
