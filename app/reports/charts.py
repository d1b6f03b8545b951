"""Small server-rendered SVG charts: no charting library, no script, no inline style attributes (the CSP
forbids them), only SVG presentation attributes (fill=, stroke=, width=). Each chart carries a <title>
and a description; the page shows the same numbers in a table beside it for screen readers."""

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 28, 30
COLOURS = ("#00573d", "#0b5394", "#b00020", "#a66a00")


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | int | None]
    colour: str = COLOURS[0]


def _nice_max(value: float) -> float:
    """A round top for the y axis: 1, 2, 2.5 or 5 times a power of ten, at least the largest value."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _whole_max(value: float) -> int:
    """The top of an axis of whole things (people): four equal steps of a whole, round number, so
    every tick is a whole number (0, 1, 2, 3, 4 rather than 0, 0.5, 1, 1.5, 2)."""
    return 4 * math.ceil(max(1, _nice_max(value / 4)))


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.1f}".replace(".", ",")


def _frame(title: str, description: str, labels: list[str], top: float, suffix: str) -> list[str]:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" class="chart" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]
    for i in range(5):
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5d9de" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#4a5360">'
            f"{escape(_number(top * i / 4))}{escape(suffix)}</text>"
        )
    step = plot_w / max(len(labels), 1)
    for i, label in enumerate(labels):
        x = LEFT + step * (i + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="11" fill="#4a5360">'
            f"{escape(label)}</text>"
        )
    return parts


def _legend(series: list[Series]) -> list[str]:
    parts, x = [], LEFT
    for item in series:
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{item.colour}"/>')
        parts.append(f'<text x="{x + 16}" y="18" font-size="12" fill="#1b1f24">{escape(item.label)}</text>')
        x += 24 + 8 * len(item.label)
    return parts


def line_chart(title: str, labels: list[str], series: list[Series], suffix: str = "", whole: bool = False) -> Markup:
    """Lines over months; a missing value (None) breaks the line. `whole`: the values count people."""
    values = [v for s in series for v in s.values if v is not None]
    top = (_whole_max if whole else _nice_max)(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels), 1)
    description = "; ".join(
        f"{s.label}: "
        + ", ".join(
            f"{label} {'-' if v is None else _number(v)}{suffix}" for label, v in zip(labels, s.values, strict=True)
        )
        for s in series
    )
    parts = _frame(title, description, labels, top, suffix)
    for item in series:
        segment: list[str] = []
        segments = [segment]
        for i, value in enumerate(item.values):
            if value is None:
                segment = []
                segments.append(segment)
                continue
            x, y = LEFT + step * (i + 0.5), TOP + plot_h - plot_h * value / top
            segment.append(f"{x:.1f},{y:.1f}")
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{item.colour}">'
                f"<title>{escape(labels[i])}: {escape(_number(value))}{escape(suffix)}</title></circle>"
            )
        for points in segments:
            if len(points) > 1:
                parts.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{item.colour}" stroke-width="2"/>'
                )
    parts += _legend(series)
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(title: str, labels: list[str], series: list[Series], suffix: str = "", whole: bool = False) -> Markup:
    """Grouped vertical bars, one group per label. `whole`: the values count people."""
    values = [v for s in series for v in s.values if v is not None]
    top = (_whole_max if whole else _nice_max)(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels), 1)
    bar_w = step * 0.8 / max(len(series), 1)
    description = "; ".join(
        f"{s.label}: "
        + ", ".join(f"{label} {_number(v or 0)}{suffix}" for label, v in zip(labels, s.values, strict=True))
        for s in series
    )
    parts = _frame(title, description, labels, top, suffix)
    for j, item in enumerate(series):
        for i, value in enumerate(item.values):
            value = value or 0
            height = plot_h * value / top
            x = LEFT + step * i + step * 0.1 + bar_w * j
            y = TOP + plot_h - height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}" '
                f'fill="{item.colour}"><title>{escape(item.label)}, {escape(labels[i])}: '
                f"{escape(_number(value))}{escape(suffix)}</title></rect>"
            )
    parts += _legend(series)
    parts.append("</svg>")
    return Markup("".join(parts))


def hbar_chart(title: str, rows: list[tuple[str, int]], colour: str = COLOURS[0]) -> Markup:
    """Horizontal bars with their labels, e.g. villages per Desa Sadar stage."""
    row_h, label_w, width = 28, 190, WIDTH
    height = row_h * len(rows) + 8
    top = max((value for _label, value in rows), default=0) or 1
    description = ", ".join(f"{label}: {value}" for label, value in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'class="chart">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]
    bar_space = width - label_w - 60
    for i, (label, value) in enumerate(rows):
        y = 4 + i * row_h
        bar = bar_space * value / top
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end" font-size="13" fill="#1b1f24">'
            f"{escape(label)}</text>"
        )
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{bar:.1f}" height="{row_h - 8}" fill="{colour}"/>')
        parts.append(
            f'<text x="{label_w + bar + 6:.1f}" y="{y + 18}" font-size="13" fill="#1b1f24">'
            f"{escape(_number(value))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
