"""Tiny SVG charts drawn on the server: no scripts, no external requests, readable by screen readers."""

from html import escape


def bar_chart_svg(points: list[tuple[str, int]], *, title: str, width: int = 640, height: int = 180) -> str:
    if not points:
        return ""
    top = max(n for _label, n in points) or 1
    gap = 2
    bar = max(2, (width - 40) // len(points) - gap)
    bars = []
    for i, (label, n) in enumerate(points):
        h = round((height - 40) * n / top)
        x = 30 + i * (bar + gap)
        y = height - 20 - h
        bars.append(
            f'<rect x="{x}" y="{y}" width="{bar}" height="{h}" fill="#1d4f91">'
            f"<title>{escape(label)}: {n}</title></rect>"
        )
        if len(points) <= 31 and i % max(1, len(points) // 8) == 0:
            bars.append(f'<text x="{x}" y="{height - 5}" font-size="10">{escape(label)}</text>')
    axis = (
        f'<text x="0" y="15" font-size="10">{top}</text>'
        f'<line x1="28" y1="{height - 20}" x2="{width}" y2="{height - 20}" stroke="#0b0c0c"/>'
    )
    summary = ", ".join(f"{label}: {n}" for label, n in points)
    return (
        f'<svg role="img" viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title><desc>{escape(summary)}</desc>{axis}{''.join(bars)}</svg>"
    )
