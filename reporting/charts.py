"""Bar charts as inline SVG, for the page and the PDF (no script, no style attribute: CSP allows it).

Readable without colour: every bar carries its number as text; with two series the first is a
filled bar and the second an outlined one, named in a legend and in each bar's text alternative.
The chart is an image (role="img") named by its <title> and described by a <desc> that lists every
value, and it always sits beside the table it draws.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from .tables import Chart

WIDTH = 360
LABEL_HEIGHT = 16
BAR_HEIGHT = 14
BAR_GAP = 3
GROUP_GAP = 10
VALUE_SPACE = 36
FILL = "#1d70b8"  # GOV.UK blue: 5.2:1 against white
INK = "#0b0c0c"


def _text(x, y, content, *, size=12, anchor="start", weight="normal") -> str:
    return (f'<text x="{x}" y="{y}" font-family="Arial, Liberation Sans, sans-serif" font-size="{size}" '
            f'font-weight="{weight}" fill="{INK}" text-anchor="{anchor}">{escape(str(content))}</text>')


def _bar(x, y, width, series_index) -> str:
    if series_index == 0:
        return f'<rect x="{x}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="{FILL}"/>'
    # The second series: outlined, so it differs from the first by shape, not only by colour.
    return (f'<rect x="{x + 0.75}" y="{y + 0.75}" width="{max(width - 1.5, 0):.1f}" height="{BAR_HEIGHT - 1.5}" '
            f'fill="#ffffff" stroke="{INK}" stroke-width="1.5"/>')


def description(chart: Chart) -> str:
    parts = []
    for name, values in chart.series:
        listed = "; ".join(f"{label}: {value}" for label, value in zip(chart.labels, values))
        parts.append(f"{name}: {listed}." if len(chart.series) > 1 else f"{listed}.")
    return "Bar chart. " + " ".join(parts) + " The same figures are in the table."


def bar_chart(chart: Chart, *, chart_id: str) -> Markup:
    """Horizontal bars: for each label, its name above one bar per series, each with its number."""
    peak = max([v for _, values in chart.series for v in values] + [1])
    scale = (WIDTH - VALUE_SPACE) / peak
    parts = []
    y = 0
    if len(chart.series) > 1:
        x = 0
        for index, (name, _) in enumerate(chart.series):
            parts.append(_bar(x, y, BAR_HEIGHT * 1.5, index))
            parts.append(_text(x + BAR_HEIGHT * 1.5 + 5, y + 11, name))
            x += 30 + len(name) * 7
        y += BAR_HEIGHT + GROUP_GAP
    for i, label in enumerate(chart.labels):
        parts.append(_text(0, y + 12, label))
        y += LABEL_HEIGHT
        for index, (_, values) in enumerate(chart.series):
            value = values[i]
            width = value * scale
            if value:
                parts.append(_bar(0, y, width, index))
            parts.append(_text(width + 4, y + 11, value, weight="bold"))
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP - BAR_GAP
    height = y
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="{title_id}">{escape(chart.title)}</title>'
        f'<desc id="{desc_id}">{escape(description(chart))}</desc>'
        + "".join(parts)
        + "</svg>"
    )
    return Markup(svg)
