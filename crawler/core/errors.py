"""Errors a user can cause: each becomes one line on stderr and an exit code."""


class VigilError(Exception):
    """A problem the user can fix; printed as one line, exit code `exit_code`."""

    exit_code = 1


class UsageError(VigilError):
    """Bad command-line usage or configuration (exit 2)."""

    exit_code = 2


class ConfigError(UsageError):
    """The configuration file is missing, malformed or invalid."""
