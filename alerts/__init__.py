"""Watchlists, name matching, the alert outbox and its delivery channels."""
