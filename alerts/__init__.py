"""Alerts at both ends of the flow: finding watched names (matching/) and delivering alerts (delivery/)."""
