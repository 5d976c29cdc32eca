"""User-facing errors: each carries one line that says what went wrong and where."""


class AdrsError(Exception):
    """An error caused by the user's input or environment, reported as one line."""


class ProblemError(AdrsError):
    """A problem folder is malformed; the message names the file and the defect."""


class ConfigError(AdrsError):
    """A setting or config file is invalid."""


class ArchiveError(AdrsError):
    """The archive cannot be opened or does not hold what was asked for."""


class NotAvailableError(AdrsError):
    """An option names a component that is not available on this machine or build."""
