"""Delivering the outbox: the dispatcher, channels, renderers, digests, feeds and health alerts."""
