"""Plain SVG charts for the overview: no charting library, no script, every label escaped."""

from __future__ import annotations

from collections import defaultdict
from html import escape

PALETTE = ("#2f6fb3", "#d9822b", "#3a9d5d", "#c23b3b", "#7b5ea7", "#8c6d3f", "#d66ba0", "#5f7a8a")


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def weekly(counts: list[tuple[str, str, int]], title: str) -> str:
    """Stacked columns: findings raised per week (x), split by rule (colour), with a legend."""
    weeks = sorted({w for _, w, _ in counts})
    rules = sorted({r for r, _, _ in counts})
    if not weeks:
        return _svg(320, 40, ['<text x="8" y="24" font-size="13">—</text>'], title)
    per: dict[str, dict[str, int]] = defaultdict(dict)
    for rule, week, n in counts:
        per[week][rule] = n
    top = max(sum(per[w].values()) for w in weeks)
    col, gap, plot_h, left, base = 36, 10, 160, 40, 190
    width = left + len(weeks) * (col + gap) + 120
    body = [
        f'<line x1="{left}" y1="{base}" x2="{width - 120}" y2="{base}" stroke="#888"/>',
        f'<text x="{left - 6}" y="{base - plot_h + 4}" font-size="11" text-anchor="end">{top}</text>',
        f'<text x="{left - 6}" y="{base + 4}" font-size="11" text-anchor="end">0</text>',
    ]
    for k, week in enumerate(weeks):
        x, y = left + k * (col + gap) + gap, float(base)
        for r, rule in enumerate(rules):
            n = per[week].get(rule, 0)
            if n:
                h = n / top * plot_h
                y -= h
                colour = PALETTE[r % len(PALETTE)]
                tip = f"{escape(rule)} {escape(week)}: {n}"
                body.append(
                    f'<rect x="{x}" y="{y:.1f}" width="{col}" height="{h:.1f}" fill="{colour}">'
                    f"<title>{tip}</title></rect>"
                )
        day = escape(week[5:])
        body.append(
            f'<text x="{x + col / 2}" y="{base + 14}" font-size="10" text-anchor="middle">{day}</text>'
        )
    for r, rule in enumerate(rules):
        y = 20 + r * 18
        colour = PALETTE[r % len(PALETTE)]
        body.append(f'<rect x="{width - 110}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        body.append(f'<text x="{width - 92}" y="{y}" font-size="12">{escape(rule)}</text>')
    return _svg(width, max(base + 24, 20 + len(rules) * 18), body, title)


def bars(rows: list[tuple[str, int, int]], title: str, legend: tuple[str, str]) -> str:
    """Horizontal bars per township: persons receiving aid (blue) and open findings (red)."""
    if not rows:
        return _svg(320, 40, ['<text x="8" y="24" font-size="13">—</text>'], title)
    top = max(max(a, b) for _, a, b in rows) or 1
    label_w, plot_w, row_h = 110, 360, 30
    body = []
    for k, (place, receiving, found) in enumerate(rows):
        y = 30 + k * row_h
        body.append(
            f'<text x="{label_w - 6}" y="{y + 12}" font-size="12" text-anchor="end">{escape(place)}</text>'
        )
        for offset, (value, colour) in enumerate(((receiving, PALETTE[0]), (found, PALETTE[3]))):
            w = value / top * plot_w
            body.append(
                f'<rect x="{label_w}" y="{y + offset * 11}" width="{w:.1f}" height="10" fill="{colour}"/>'
                f'<text x="{label_w + w + 4:.1f}" y="{y + offset * 11 + 9}" font-size="10">{value}</text>'
            )
    for offset, (name, colour) in enumerate(zip(legend, (PALETTE[0], PALETTE[3]), strict=True)):
        x = label_w + offset * 160
        body.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        body.append(f'<text x="{x + 18}" y="16" font-size="12">{escape(name)}</text>')
    return _svg(label_w + plot_w + 60, 40 + len(rows) * row_h, body, title)
