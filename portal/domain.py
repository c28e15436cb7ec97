"""The error a domain rule raises: a Russian sentence the view shows as it is."""


class RuleViolation(Exception):
    """A business rule refused the action; `message` is for the user, in Russian."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
