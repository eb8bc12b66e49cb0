"""The layer every other imports: errors, config, defaults, time, URLs, the network guard, logging."""
