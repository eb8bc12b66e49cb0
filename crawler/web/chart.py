"""A bar chart of mentions per week, drawn as SVG on the server (no script, no library)."""
from __future__ import annotations

from datetime import date, timedelta

from markupsafe import Markup, escape

WIDTH, HEIGHT, MARGIN = 640, 160, 28
MAX_WEEKS = 104     # two years at most; older weeks are summed into the first bar


def weeks_filled(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Every week from the first with a mention to the last, the empty ones as 0."""
    if not counts:
        return []
    by_week = dict(counts)
    first, last = date.fromisoformat(counts[0][0]), date.fromisoformat(counts[-1][0])
    weeks = []
    day = first
    while day <= last:
        weeks.append((day.isoformat(), by_week.get(day.isoformat(), 0)))
        day += timedelta(days=7)
    if len(weeks) > MAX_WEEKS:
        older = sum(n for _, n in weeks[:-MAX_WEEKS + 1])
        weeks = [(weeks[-MAX_WEEKS + 1][0], older)] + weeks[-MAX_WEEKS + 1:]
    return weeks


def weekly_chart(counts: list[tuple[str, int]]) -> Markup:
    """An SVG of mentions per week (week starting on Monday); a short note when there are none."""
    weeks = weeks_filled(counts)
    if not weeks:
        return Markup('<p class="muted">No mentions yet.</p>')
    peak = max(n for _, n in weeks) or 1
    inner_w, inner_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    step = inner_w / len(weeks)
    bar = min(max(step * 0.8, 1.0), 40.0)
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<title>Mentions per week, {escape(weeks[0][0])} to {escape(weeks[-1][0])}</title>',
             f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" y2="{HEIGHT - MARGIN}" '
             'stroke="#888" stroke-width="1"/>',
             f'<text x="4" y="{MARGIN}" font-size="11" fill="#555">{peak}</text>',
             f'<text x="4" y="{HEIGHT - MARGIN}" font-size="11" fill="#555">0</text>']
    for index, (week, count) in enumerate(weeks):
        height = inner_h * count / peak
        x = MARGIN + index * step + (step - bar) / 2
        y = HEIGHT - MARGIN - height
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                     f'fill="#3b6ea5"><title>week of {escape(week)}: {count}</title></rect>')
    parts.append(f'<text x="{MARGIN}" y="{HEIGHT - 8}" font-size="11" fill="#555">{escape(weeks[0][0])}</text>')
    parts.append(f'<text x="{WIDTH - MARGIN}" y="{HEIGHT - 8}" font-size="11" fill="#555" text-anchor="end">'
                 f'{escape(weeks[-1][0])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
