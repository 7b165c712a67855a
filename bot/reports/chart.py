"""The placement rate by programme and sex as a PNG bar chart (matplotlib, Agg, no display)."""

from __future__ import annotations

import io

from bot.i18n import _
from bot.reports.indicators import SEXES, Report
from bot.reports.indicators_text import sex_label


def placement_chart(report: Report) -> bytes:
    """Bars: one group per programme with graduates, one bar per sex; labels say placed/answered."""
    # Imported here: matplotlib takes a moment to load, and only this chart needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    codes = sorted(code for code, counts in report.by_programme.items() if counts.completed)
    cells = report.by_programme_and_sex
    # Women and men always (a missing bar says "nobody answered"); the others when someone did.
    sexes = [
        s for s in SEXES if s in ("female", "male") or any(cells[(c, s)].answered for c in codes if (c, s) in cells)
    ]
    figure = Figure(figsize=(9, 5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(_("Placement rate by programme and sex"))
    if not codes:
        axes.text(0.5, 0.5, _("No graduates yet."), ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
    else:
        width = 0.8 / len(sexes)
        for index, sex in enumerate(sexes):
            positions = [n - 0.4 + width * (index + 0.5) for n in range(len(codes))]
            counts = [cells.get((code, sex)) for code in codes]
            heights = [100 * (c.placement_rate or 0) if c is not None else 0 for c in counts]
            bars = axes.bar(positions, heights, width, label=sex_label(sex))
            notes = [f"{c.placed}/{c.answered}" if c is not None and c.answered else "–" for c in counts]
            axes.bar_label(bars, labels=notes, fontsize=8)
        axes.set_xticks(range(len(codes)), labels=codes, rotation=15, ha="right")
        axes.set_ylim(0, 110)
        axes.set_ylabel(_("% placed, of those who answered"))
        axes.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
