"""Small server-rendered SVG charts: no script, no library, colours from attributes (CSP-safe)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from bot.channels.registry import CHANNELS

COLOURS = {
    **{spec.name: spec.colour for spec in CHANNELS},
    "failed": "#b91c1c",
    "other": "#6b7280",
}
WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 200, 36, 28, 10


def _nice_max(value: float) -> int:
    top = max(1, int(value))
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if top <= step * 4:
            return -(-top // step) * step
    return top


def grouped_bars(
    title: str, labels: Sequence[str], series: Mapping[str, Sequence[float]]
) -> Markup:
    """One group of bars per label (a day), one bar per series (a channel)."""
    top = _nice_max(max((v for values in series.values() for v in values), default=0))
    plot_w = WIDTH - PAD_LEFT - 8
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    group_w = plot_w / max(1, len(labels))
    bar_w = max(2.0, (group_w - 4) / max(1, len(series)))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, top // 2, top):
        y = PAD_TOP + plot_h - plot_h * tick / top
        parts.append(
            f'<line x1="{PAD_LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{PAD_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#6b7280">{tick}</text>'
        )
    for i, label in enumerate(labels):
        x0 = PAD_LEFT + i * group_w + 2
        for j, (name, values) in enumerate(series.items()):
            value = values[i]
            h = plot_h * value / top
            colour = COLOURS.get(name, COLOURS["other"])
            parts.append(
                f'<rect x="{x0 + j * bar_w:.1f}" y="{PAD_TOP + plot_h - h:.1f}" '
                f'width="{bar_w - 1:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(name)} {escape(label)}: {value:g}</title></rect>"
            )
        if len(labels) <= 16 or i % 2 == 0:
            parts.append(
                f'<text x="{x0 + group_w / 2 - 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
                f'font-size="10" fill="#374151">{escape(label)}</text>'
            )
    parts.append("</svg>")
    legend = " ".join(
        f'<span class="legend"><svg width="10" height="10" aria-hidden="true">'
        f'<rect width="10" height="10" fill="{COLOURS.get(n, COLOURS["other"])}"/></svg> '
        f"{escape(n)}</span>"
        for n in series
    )
    return Markup("".join(parts) + f'<p class="legend-row">{legend}</p>')  # noqa: S704 - escaped


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
