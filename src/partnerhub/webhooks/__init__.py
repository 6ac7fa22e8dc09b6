"""Webhooks: partners' endpoints, the events they subscribe to, and the signed deliveries of those events."""
