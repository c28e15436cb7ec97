"""Charts drawn on the server as SVG, the same picture for the page and the PDF.

Hand-made SVG from one macro template rather than a charting library: four plain kinds
(columns, bars, paired bars, a line) need only rectangles, lines and text, which both
browsers and svglib (xhtml2pdf's SVG reader) draw alike, with DejaVu for Cyrillic; no new
dependency, and the numbers are always in a table beside the picture.
"""

import base64
from dataclasses import dataclass

from flask import get_template_attribute
from markupsafe import Markup

TEMPLATE = "monitoring/_charts.svg"
PALETTE = ("#3b6ea5", "#e08a2e", "#5a9e5a", "#b04a5a", "#7a5ea8")


@dataclass(frozen=True)
class Chart:
    svg: str

    def __html__(self) -> str:
        return Markup(self.svg)

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _draw(kind: str, **data) -> Chart:
    macro = get_template_attribute(TEMPLATE, kind)
    return Chart(str(macro(**data)).strip())


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def columns(title: str, items: list[tuple[str, int]]) -> Chart:
    """Vertical columns: the distribution of answers to one question."""
    width, height, left, bottom, top = 360, 170, 28, 30, 22
    top_value = max([n for _, n in items] + [1])
    slot = (width - left - 8) / max(len(items), 1)
    bars = []
    for i, (label, n) in enumerate(items):
        h = (height - bottom - top) * n / top_value
        x = left + i * slot + slot * 0.15
        bars.append(
            {
                "x": round(x, 1),
                "y": round(height - bottom - h, 1),
                "w": round(slot * 0.7, 1),
                "h": round(h, 1),
                "label": label,
                "value": str(n),
                "cx": round(x + slot * 0.35, 1),
            }
        )
    return _draw(
        "columns",
        title=title,
        width=width,
        height=height,
        base=height - bottom,
        left=left,
        bars=bars,
        color=PALETTE[0],
    )


def bars(title: str, items: list[tuple[str, float]], maximum: float, percent=False) -> Chart:
    """Horizontal bars with their values: response rates or averages."""
    row, label_w, width = 22, 190, 460
    height = 28 + row * len(items)
    span = width - label_w - 50
    drawn = []
    for i, (label, value) in enumerate(items):
        shown = f"{round(value * 100)} %" if percent else _fmt(value)
        drawn.append(
            {
                "y": 24 + i * row,
                "w": round(span * min(value, maximum) / maximum, 1) if maximum else 0,
                "label": label if len(label) <= 30 else label[:29] + "…",
                "value": shown,
            }
        )
    return _draw(
        "bars", title=title, width=width, height=height, x0=label_w, rows=drawn, color=PALETTE[0]
    )


def paired(title: str, items: list[tuple[str, float, float]]) -> Chart:
    """Entry against exit for each measure, on the 1–10 scale."""
    row, label_w, width = 34, 190, 460
    height = 46 + row * len(items)
    span = width - label_w - 50
    drawn = []
    for i, (label, entry, exit_) in enumerate(items):
        drawn.append(
            {
                "y": 36 + i * row,
                "w1": round(span * entry / 10, 1),
                "w2": round(span * exit_ / 10, 1),
                "label": label if len(label) <= 30 else label[:29] + "…",
                "v1": _fmt(entry),
                "v2": _fmt(exit_),
            }
        )
    return _draw(
        "paired",
        title=title,
        width=width,
        height=height,
        x0=label_w,
        rows=drawn,
        c1=PALETTE[1],
        c2=PALETTE[0],
    )


def line(title: str, points: list[tuple[str, float | None]], maximum: float, percent=False):
    """A line over half-years (gaps where a value is missing)."""
    width, height, left, bottom, top = 460, 170, 36, 34, 24
    step = (width - left - 20) / max(len(points) - 1, 1)
    drawn = []
    for i, (label, value) in enumerate(points):
        x = left + 10 + i * step
        y = None
        if value is not None:
            y = round(height - bottom - (height - bottom - top) * value / maximum, 1)
        shown = "" if value is None else (f"{round(value * 100)} %" if percent else _fmt(value))
        drawn.append({"x": round(x, 1), "y": y, "label": label, "value": shown})
    path = " ".join(f"{p['x']},{p['y']}" for p in drawn if p["y"] is not None)
    return _draw(
        "line",
        title=title,
        width=width,
        height=height,
        base=height - bottom,
        top=top,
        left=left,
        points=drawn,
        path=path,
        color=PALETTE[0],
    )
