"""A small job runner: a jobs table with leases, resumable, safe with several workers."""
