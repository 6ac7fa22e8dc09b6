"""Idempotency keys: the stored answers that make a retried write (same MS-RequestId) change nothing twice."""
