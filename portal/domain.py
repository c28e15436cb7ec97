"""What every area's domain functions share: the error a rule raises (a Russian sentence the
view shows as it is) and the shape of one line of the start page's work queue."""

from dataclasses import dataclass
from datetime import date


class RuleViolation(Exception):
    """A business rule refused the action; `message` is for the user, in Russian."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class WorkItem:
    """One line of the start page's work queue: what to do, how many, where, how urgent, by
    when. Each area's provider returns these; portal.notifications.queue lists the providers.

    Tones: "danger", "warning", "info", and "ok" for a deadline already met.
    """

    title: str
    count: int
    url: str
    tone: str = "info"
    due: date | None = None

    @property
    def is_open(self) -> bool:
        """Shown on the start page: work to do, or a deadline not yet met."""
        return self.count > 0 or (self.due is not None and self.tone != "ok")
