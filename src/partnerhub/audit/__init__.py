"""The activity log: one append-only record per state change, written in the change's transaction."""
