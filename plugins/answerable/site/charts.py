"""Charts as inline SVG made at build time: readable without JavaScript, with a title,
a description and (in the templates) the same numbers in a table beside."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    rate: float | None  # drawn as a dot on a 0-100% scale


def monthly_chart(
    chart_id: str, title: str, description: str, bars: list[Bar], rate_label: str
) -> Markup:
    """Bars of volume per month with a dot for the rate; sizes in SVG user units."""
    width, height, left, bottom, top = 640, 240, 40, 40, 20
    plot_h = height - bottom - top
    base = height - bottom
    n = max(len(bars), 1)
    step = (width - left - 10) / n
    peak = max((b.value for b in bars), default=0) or 1
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
        f'<line class="axis" x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}"/>',
    ]
    for index, bar in enumerate(bars):
        x = left + index * step + step * 0.2
        centre = x + step * 0.3
        bar_h = plot_h * bar.value / peak
        y = base - bar_h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{step * 0.6:.1f}" '
            f'height="{bar_h:.1f}"/>'
        )
        parts.append(
            f'<text class="value" x="{centre:.1f}" y="{y - 4:.1f}" text-anchor="middle">'
            f"{bar.value}</text>"
        )
        parts.append(
            f'<text class="label" x="{centre:.1f}" y="{base + 16}" text-anchor="middle">'
            f"{escape(bar.label)}</text>"
        )
        if bar.rate is not None:
            cy = base - plot_h * bar.rate
            parts.append(
                f'<circle class="rate" cx="{centre:.1f}" cy="{cy:.1f}" r="5">'
                f"<title>{escape(rate_label)}: {bar.rate * 100:.1f}%</title></circle>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped
