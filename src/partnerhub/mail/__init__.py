"""Outgoing e-mail: an outbox of mails written in the caller's transaction and sent after commit through SMTP."""
