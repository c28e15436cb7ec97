"""The twice-yearly evaluation of the dissemination strategy (004_…): publications planned and
published and people reached, by target group and channel, counted in SQL."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select

from portal.communication.models import DisseminationEvent, MediaChannel, MediaItem, TargetGroup
from portal.communication.statuses import MediaStatus
from portal.extensions import db

NO_GROUP = "Без целевой группы"
NO_CHANNEL = "Без канала"


def half_bounds(year: int, half: int) -> tuple[date, date]:
    """The first half is January–June, the second July–December."""
    return (
        (date(year, 1, 1), date(year, 6, 30))
        if half == 1
        else (date(year, 7, 1), date(year, 12, 31))
    )


@dataclass
class Cell:
    planned: int = 0
    published: int = 0
    events: int = 0
    reach: int = 0


@dataclass
class Evaluation:
    year: int
    half: int
    start: date
    end: date
    groups: list[str]
    channels: list[str]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)

    def group_total(self, group: str) -> Cell:
        total = Cell()
        for (g, _), cell in self.cells.items():
            if g == group:
                total.planned += cell.planned
                total.published += cell.published
                total.events += cell.events
                total.reach += cell.reach
        return total

    @property
    def total(self) -> Cell:
        total = Cell()
        for cell in self.cells.values():
            total.planned += cell.planned
            total.published += cell.published
            total.events += cell.events
            total.reach += cell.reach
        return total

    def cell(self, group: str, channel: str) -> Cell:
        return self.cells.get((group, channel), Cell())


def evaluate(year: int, half: int) -> Evaluation:
    """Two grouped queries whatever the amount of data: publications, then events."""
    start, end = half_bounds(year, half)
    group_name = func.coalesce(TargetGroup.name, NO_GROUP)
    channel_name = func.coalesce(MediaChannel.name, NO_CHANNEL)
    planned_in = (MediaItem.planned_on >= start) & (MediaItem.planned_on <= end)
    published_in = (
        (MediaItem.status == MediaStatus.PUBLISHED)
        & (MediaItem.published_on >= start)
        & (MediaItem.published_on <= end)
    )
    publications = (
        select(
            group_name,
            channel_name,
            func.sum(case((planned_in, 1), else_=0)),
            func.sum(case((published_in, 1), else_=0)),
        )
        .select_from(MediaItem)
        .join(MediaChannel, MediaChannel.id == MediaItem.channel_id)
        .outerjoin(TargetGroup, TargetGroup.id == MediaItem.target_group_id)
        .where(MediaItem.status != MediaStatus.CANCELLED, planned_in | published_in)
        .group_by(group_name, channel_name)
    )
    events = (
        select(
            group_name,
            channel_name,
            func.count(),
            func.coalesce(func.sum(DisseminationEvent.reach), 0),
        )
        .select_from(DisseminationEvent)
        .outerjoin(MediaChannel, MediaChannel.id == DisseminationEvent.channel_id)
        .outerjoin(TargetGroup, TargetGroup.id == DisseminationEvent.target_group_id)
        .where(DisseminationEvent.held_on >= start, DisseminationEvent.held_on <= end)
        .group_by(group_name, channel_name)
    )
    cells: dict[tuple[str, str], Cell] = {}
    for group, channel, planned, published in db.session.execute(publications):
        cell = cells.setdefault((group, channel), Cell())
        cell.planned, cell.published = int(planned or 0), int(published or 0)
    for group, channel, count, reach in db.session.execute(events):
        cell = cells.setdefault((group, channel), Cell())
        cell.events, cell.reach = int(count), int(reach or 0)
    groups = sorted({g for g, _ in cells}, key=lambda g: (g == NO_GROUP, g))
    channels = sorted({c for _, c in cells}, key=lambda c: (c == NO_CHANNEL, c))
    return Evaluation(year, half, start, end, groups, channels, cells)


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[int, ...]


def chart_bars(evaluation: Evaluation, measure: str) -> list[Bar]:
    """Rows for the server-drawn SVG chart: per target group, plan against fact, or reach."""
    rows = []
    for group in evaluation.groups:
        total = evaluation.group_total(group)
        if measure == "publications":
            rows.append(Bar(group, (total.planned, total.published)))
        else:
            rows.append(Bar(group, (total.reach,)))
    return rows
