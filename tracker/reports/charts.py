"""Charts drawn on the server as accessible SVG: no script, nothing fetched, they print.

Each chart is an ``<svg role="img">`` with a title and a description, a tooltip per mark, and
statuses told apart by fill pattern as well as colour; the page shows the data table beside it.
Only presentation attributes are used (no ``style``), so the Content-Security-Policy holds.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from tracker.progress.models import PALETTE, ImplementationStatus

def _patterns(prefix: str) -> str:
    parts = []
    for status, look in PALETTE.items():
        fill, ink, kind = look.fill, look.ink, look.pattern
        pid = f"{prefix}-{status}"
        if kind == "hatch":
            body = f'<rect width="6" height="6" fill="{fill}"/><line x1="0" y1="0" x2="0" y2="6" stroke="{ink}" stroke-width="2"/>'
            parts.append(f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">{body}</pattern>')
        elif kind == "dots":
            body = f'<rect width="6" height="6" fill="{fill}"/><circle cx="3" cy="3" r="1.3" fill="{ink}"/>'
            parts.append(f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">{body}</pattern>')
        elif kind == "cross":
            body = f'<rect width="8" height="8" fill="{fill}"/><path d="M0 0L8 8M8 0L0 8" stroke="{ink}" stroke-width="1"/>'
            parts.append(f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">{body}</pattern>')
    return "<defs>" + "".join(parts) + "</defs>"


def _fill(prefix: str, status: str) -> str:
    fill, kind = PALETTE[status].fill, PALETTE[status].pattern
    return fill if kind in ("solid", "hollow") else f"url(#{prefix}-{status})"


def _svg(prefix: str, width: int, height: int, title: str, desc: str, body: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{prefix}-title {prefix}-desc" font-family="sans-serif" font-size="12">'
        f'<title id="{prefix}-title">{escape(title)}</title><desc id="{prefix}-desc">{escape(desc)}</desc>{body}</svg>'
    )


def status_bars(prefix: str, rows: list[tuple[str, dict]], title: str) -> Markup:
    """Stacked bars, one per row, each the 100% of its assignments split by official status."""
    label_w, bar_w, bar_h, gap, top = 150, 420, 22, 12, 8
    legend_h = 24 * ((len(PALETTE) + 2) // 3)
    height = top + len(rows) * (bar_h + gap) + legend_h + 8
    width = label_w + bar_w + 70
    body = [_patterns(prefix)]
    for index, (label, by_status) in enumerate(rows):
        y = top + index * (bar_h + gap)
        total = sum(by_status.values())
        body.append(f'<text x="{label_w - 8}" y="{y + bar_h * 0.7:.1f}" text-anchor="end" fill="#1b1b1b">{escape(label[:24])}</text>')
        x = float(label_w)
        for status in PALETTE:
            count = by_status.get(status, 0)
            if not count:
                continue
            w = bar_w * count / total
            name = ImplementationStatus(status).title
            tip = _("%(row)s: %(status)s, %(count)d of %(total)d (%(share)d%%)", row=label, status=name, count=count, total=total, share=round(100 * count / total))
            body.append(
                f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{bar_h}" fill="{_fill(prefix, status)}" '
                f'stroke="{PALETTE[status].ink}" stroke-width="0.75"><title>{escape(tip)}</title></rect>'
            )
            x += w
        body.append(f'<text x="{label_w + bar_w + 6}" y="{y + bar_h * 0.7:.1f}" fill="#1b1b1b">{total}</text>')
    body.append(_legend(prefix, top + len(rows) * (bar_h + gap) + 4, width))
    desc = _("Share of assignments in each official status, one bar per row; the table beside gives the numbers.")
    return _svg(prefix, width, height, title, desc, "".join(body))


def _legend(prefix: str, y0: float, width: int) -> str:
    parts = []
    column = width / 3
    for index, status in enumerate(PALETTE):
        x, y = 8 + column * (index % 3), y0 + 24 * (index // 3)
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="14" height="14" fill="{_fill(prefix, status)}" stroke="{PALETTE[status].ink}"/>'
            f'<text x="{x + 20:.1f}" y="{y + 11}" fill="#1b1b1b">{PALETTE[status].shape} {escape(ImplementationStatus(status).title)}</text>'
        )
    return "".join(parts)


def _nice(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000):
        if value <= step * 4:
            return step
    return 100000


CHAR_W = 7  # a generous width of one character at font-size 12, to keep labels apart


def _months(first: date, last: date) -> list[date]:
    month, found = date(first.year, first.month, 1), []
    while month <= last:
        if month >= first:
            found.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return found


def _spread(labels: list[tuple[float, str]], left: float, right: float) -> list[tuple[float, int, str]]:
    """Give each marker label (its line's x, its text) a row so that no two overlap: a label sits
    left of its line, or right of it where the plot's left edge is too near; returns (x, row, anchor)."""
    placed: list[list[tuple[float, float]]] = []
    out = []
    for x, text in sorted(labels):
        width = CHAR_W * len(text)
        anchor, span = ("end", (x - 3 - width, x - 3)) if x - 3 - width >= left else ("start", (x + 3, x + 3 + width))
        if anchor == "start" and span[1] > right:
            anchor, span = "end", (x - 3 - width, x - 3)
        row = 0
        while row < len(placed) and any(a < span[1] + 4 and span[0] < b + 4 for a, b in placed[row]):
            row += 1
        if row == len(placed):
            placed.append([])
        placed[row].append(span)
        out.append((x, row, anchor))
    return out


def timeline(prefix: str, points: list[tuple[date, int]], *, start: date, cutoff: date, meeting: date, today: date, title: str) -> Markup:
    """Accepted updates, cumulated by day, from ``start`` to the meeting, with the cut-off marked.

    The axis always spans ``start`` to the meeting, whatever the data: a point before it is drawn
    at its start and points after it are gathered at its end (their tooltip tells the real dates),
    so a stray date cannot stretch the chart over years. Month labels thin out so they never touch.
    """
    left, right, top, bottom = 56, 20, 16, 46
    plot_w, plot_h = 560, 220
    first, last = min(start, cutoff), max(meeting, cutoff)
    span = max(1, (last - first).days)
    points = sorted(points)
    total = sum(n for _d, n in points)
    later = [(d, n) for d, n in points if d > last]
    step = _nice(max(total, 1))
    y_max = step * max(1, -(-max(total, 1) // step))

    def x_of(day: date) -> float:
        day = min(max(day, first), last)
        return left + plot_w * (day - first).days / span

    markers = [(day, label, dash) for day, label, dash in ((cutoff, _("Cut-off"), "6 3"), (meeting, _("Meeting"), "2 2"), (today, _("Today"), "1 3")) if first <= day <= last]
    markers.sort(key=lambda m: (x_of(m[0]), str(m[1])))
    spread = _spread([(x_of(day), str(label)) for day, label, _dash in markers], left, left + plot_w)
    rows = 1 + max((row for _x, row, _a in spread), default=0)
    label_top = top
    top += 13 * (rows - 1)  # room for marker labels stacked where they would touch
    width, height = left + plot_w + right, top + plot_h + bottom

    def y_of(value: int) -> float:
        return top + plot_h - plot_h * value / y_max

    body = []
    for tick in range(0, y_max + 1, step):
        y = y_of(tick)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#d9d9d9"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#1b1b1b">{tick}</text>')
    months = _months(first, last)
    label_w = CHAR_W * 6 + 8  # "MMM yy" and a gap
    every = max(1, -(-len(months) * label_w // plot_w)) if months else 1
    shown_at = None
    for index, month in enumerate(months):
        x = x_of(month)
        body.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 5}" stroke="#1b1b1b"/>')
        if index % every == 0 and (shown_at is None or x - shown_at >= label_w):
            shown_at = x
            body.append(f'<text x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle" fill="#1b1b1b">{escape(format_date(month, "MMM yy"))}</text>')
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#1b1b1b"/>')
    for (_day, label, dash), (x, row, anchor) in zip(markers, spread):
        y_text = label_top + 10 + 13 * row
        body.append(f'<line x1="{x:.1f}" y1="{y_text - 10:.1f}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#8a1c1c" stroke-dasharray="{dash}" stroke-width="1.5"/>')
        tx = x - 3 if anchor == "end" else x + 3
        body.append(f'<text x="{tx:.1f}" y="{y_text:.1f}" text-anchor="{anchor}" fill="#8a1c1c">{escape(label)}</text>')
    path, running = [f"M{x_of(first):.1f},{y_of(0):.1f}"], 0
    marks = []
    inside = [(d, n) for d, n in points if d <= last]
    for day, count in inside:
        x = x_of(day)
        path.append(f"H{x:.1f}")
        running += count
        path.append(f"V{y_of(running):.1f}")
        tip = _("%(date)s: %(count)d accepted, %(total)d in all", date=format_date(day, "medium"), count=count, total=running)
        marks.append(f'<circle cx="{x:.1f}" cy="{y_of(running):.1f}" r="2.5" fill="#005a9c"><title>{escape(tip)}</title></circle>')
    if later:
        count = sum(n for _d, n in later)
        running += count
        path.append(f"H{x_of(last):.1f}V{y_of(running):.1f}")
        tip = _(
            "After %(date)s (%(first)s to %(last)s): %(count)d accepted, %(total)d in all",
            date=format_date(last, "medium"), first=format_date(later[0][0], "medium"), last=format_date(later[-1][0], "medium"),
            count=count, total=running,
        )
        marks.append(f'<circle cx="{x_of(last):.1f}" cy="{y_of(running):.1f}" r="3.5" fill="#ffffff" stroke="#005a9c" stroke-width="2"><title>{escape(tip)}</title></circle>')
    end = max(min(today, last), points[-1][0]) if points else first
    path.append(f"H{x_of(end):.1f}")
    body.append(f'<path d="{" ".join(path)}" fill="none" stroke="#005a9c" stroke-width="2"/>')
    body.extend(marks)
    body.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" fill="#4a4a4a">{escape(_("Date (UTC)"))}</text>')
    desc = _("Cumulative number of assignments with an update accepted in the round, by date of acceptance, %(total)d in all; dashed lines mark the cut-off, the meeting and today.", total=total)
    if later:
        desc += " " + _("%(num)d accepted after %(date)s are shown at the end of the axis.", num=sum(n for _d, n in later), date=format_date(last, "medium"))
    return _svg(prefix, width, height, title, desc, "".join(body))
