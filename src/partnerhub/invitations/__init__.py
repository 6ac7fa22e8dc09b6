"""Relationship requests: personalised single-use invitation links that a customer's Global admin accepts."""
