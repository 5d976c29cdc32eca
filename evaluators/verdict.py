"""What a trusted verifier raises to reject a candidate's output."""


class InvalidOutput(Exception):
    """The output is not a valid answer for the case; the message says why."""


class Tampered(InvalidOutput):
    """The output shows the candidate interfered with its own measurement (inputs
    overwritten, work outside the timed region, a time no hardware can reach)."""
