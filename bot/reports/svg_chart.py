"""Horizontal bar charts as SVG text, drawn on the server for the console.

Horizontal bars with the label above each group read well on a narrow phone
and grow downwards only. Colours and sizes are SVG presentation attributes,
never ``style``, so the console's CSP (no inline styles) allows them inline.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

WIDTH = 360
BAR = 14
GAP = 4
LABEL = 18
COLOURS = ("#12355b", "#2a7ab0", "#4caf50", "#e0a100", "#c0392b", "#7f5fa8")
VALUE_ROOM = 70  # room right of the longest bar for its figure
LINE_CHARS = 44  # what a bold 13-unit line holds across the width


def _lines(label: str) -> list[str]:
    """A long label (a programme's full title) on as many lines as it needs, broken at spaces."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= LINE_CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word[:LINE_CHARS])
    return lines or [""]


def grouped_bars(
    title: str,
    series: Sequence[str],
    groups: Sequence[tuple[str, Sequence[float]]],
    notes: Sequence[Sequence[str]] | None = None,
    maximum: float | None = None,
) -> str:
    """One labelled group per row of ``groups``, one bar per series; ``notes`` are the figures written
    beside the bars (the values themselves when not given); a legend when there is more than one series."""
    top = max((value for _label, values in groups for value in values), default=0.0)
    scale = max(maximum or top, 1e-9)
    parts: list[str] = []
    y = 0
    if len(series) > 1:
        x = 0
        for index, name in enumerate(series):
            width = 20 + 7 * len(name)
            if x and x + width > WIDTH:
                x, y = 0, y + LABEL
            parts.append(f'<rect x="{x}" y="{y + 4}" width="10" height="10" fill="{COLOURS[index % len(COLOURS)]}"/>')
            parts.append(f'<text x="{x + 14}" y="{y + 13}" font-size="12">{escape(name)}</text>')
            x += width
        y += LABEL + GAP
    for row, (label, values) in enumerate(groups):
        for line in _lines(label):
            parts.append(f'<text x="0" y="{y + 13}" font-size="13" font-weight="bold">{escape(line)}</text>')
            y += LABEL
        for index, value in enumerate(values):
            length = 0 if value <= 0 else max(1, round((WIDTH - VALUE_ROOM) * value / scale))
            colour = COLOURS[index % len(COLOURS)]
            parts.append(f'<rect x="0" y="{y}" width="{length}" height="{BAR}" fill="{colour}"/>')
            note = notes[row][index] if notes is not None else f"{value:g}"
            parts.append(f'<text x="{length + 4}" y="{y + BAR - 3}" font-size="12">{escape(note)}</text>')
            y += BAR + GAP
        y += GAP
    height = max(y, LABEL)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}"'
        f' width="{WIDTH}" height="{height}" role="img" aria-label={quoteattr(title)}>'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


def bars(title: str, rows: Sequence[tuple[str, float]], notes: Sequence[str] | None = None) -> str:
    """One bar per (label, value)."""
    return grouped_bars(
        title,
        [title],
        [(label, [value]) for label, value in rows],
        [[note] for note in notes] if notes is not None else None,
    )
