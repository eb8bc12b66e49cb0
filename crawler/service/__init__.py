"""Running Vigil as a service: the daemon, its crawl worker processes, the config file it watches, the demo."""
