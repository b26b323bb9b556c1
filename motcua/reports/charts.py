"""What the leaders' pages draw: the figures of a summary (each with the metric behind it, for the drill-down,
and the anchor of its explanation on /cong-khai/cach-tinh), and the geometry of the server-rendered SVG
charts (the templates draw them; each chart has a <title>, a <desc> and a table with the same numbers)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# (summary key with dots = the drill-down metric, label, anchor on the "how it is computed" page)
FIGURES = (
    ("received.online", _("Nộp trực tuyến"), "tiep-nhan"),
    ("received.counter", _("Nộp tại quầy"), "tiep-nhan"),
    ("received.assisted", _("Được hỗ trợ nộp trực tuyến"), "tiep-nhan"),
    ("received.post", _("Qua bưu chính"), "tiep-nhan"),
    ("finished.early", _("Xong trước hạn"), "dung-han"),
    ("finished.on_time", _("Xong đúng hạn"), "dung-han"),
    ("finished.late", _("Xong quá hạn"), "dung-han"),
    ("in_progress", _("Đang giải quyết"), "dang-giai-quyet"),
    ("overdue_now", _("Đang quá hạn"), "dang-giai-quyet"),
    ("open_at_end.in_time", _("Còn mở cuối kỳ, trong hạn"), "dung-han"),
    ("open_at_end.late", _("Còn mở cuối kỳ, quá hạn"), "dung-han"),
    ("supplement_requests", _("Yêu cầu bổ sung"), "bo-sung"),
    ("refused", _("Từ chối"), "tu-choi-rut"),
    ("withdrawn", _("Rút hồ sơ"), "tu-choi-rut"),
    ("paid_online", _("Thanh toán trực tuyến"), "thanh-toan"),
    ("e_result", _("Có kết quả điện tử"), "ket-qua-dien-tu"),
    ("rating.count", _("Lượt đánh giá"), "hai-long"),
)
LABELS = {key: label for key, label, _anchor in FIGURES}


def metric_label(metric: str) -> str:
    return str(LABELS.get(metric, metric))


def _get(summary: dict, dotted: str):
    value = summary
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


@dataclass(frozen=True)
class Figure:
    metric: str
    label: str
    value: int
    anchor: str


def summary_figures(summary: dict) -> list[Figure]:
    return [Figure(key, str(label), int(_get(summary, key) or 0), anchor) for key, label, anchor in FIGURES]


def received_total(summary: dict) -> int:
    return sum(summary["received"].values())


def index_rows(index: dict) -> list[dict]:
    """The 766 indicators with their rate as a percentage for display."""
    rows = []
    for row in index.get("indicators", []):
        rate = row.get("rate")
        rows.append({**row, "percent": None if rate is None else round(float(rate) * 100, 1)})
    return rows


# --- charts ----------------------------------------------------------------------------------------------------
def _n(value: float) -> str:
    """A coordinate for an SVG attribute: always a dot as the decimal mark (a template would localise a
    float to "4,5" in Vietnamese, which no browser reads as a number)."""
    return f"{value:.1f}"


@dataclass(frozen=True)
class Bar:
    label: str
    x: str
    y: str
    width: str
    height: str
    value: float
    text_x: str
    text_y: str


def ranking_chart(ranked: list[dict], *, width: int = 320, row: int = 22, label_width: int = 120) -> dict:
    """Horizontal bars of the 766 total (out of 100) per commune, best first."""
    span = width - label_width - 40
    bars = []
    for n, r in enumerate(ranked):
        value = float(r["index_total"] or 0)
        length = span * min(value, 100) / 100
        y = n * row + 4
        bars.append(
            Bar(r["unit"].name, _n(label_width), _n(y), _n(length), _n(row - 8), value, _n(label_width + length + 4),
                _n(y + row - 10))
        )  # fmt: skip
    height = max(len(bars) * row + 8, 30)
    return {"width": str(width), "height": str(height), "bars": bars, "label_x": _n(label_width - 4)}


def month_chart(months: list[dict], *, width: int = 320, height: int = 160) -> dict:
    """Stacked columns per month: finished on time or early (bottom) and late (top); received as a dot."""
    top = max(
        [m["finished_on_time_or_early"] + m["finished_late"] for m in months] + [m["received"] for m in months] + [1]
    )
    plot_h = height - 30
    step = width / max(len(months), 1)
    columns = []
    for n, m in enumerate(months):
        good, late = m["finished_on_time_or_early"], m["finished_late"]
        good_h = plot_h * good / top
        late_h = plot_h * late / top
        x = n * step + step * 0.15
        columns.append(
            {
                # The month's number under its column (the year is in the table and the description).
                "label": f"{m['month']:%m}",
                "x": _n(x),
                "width": _n(step * 0.7),
                "good_y": _n(plot_h - good_h + 4),
                "good_h": _n(good_h),
                "late_y": _n(plot_h - good_h - late_h + 4),
                "late_h": _n(late_h),
                "received_cy": _n(plot_h - plot_h * m["received"] / top + 4),
                "center": _n(x + step * 0.35),
                "text_y": _n(height - 8),
                "month": m,
            }
        )
    return {"width": str(width), "height": str(height), "columns": columns, "top": top, "base_y": _n(plot_h + 4)}


def percent_of(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None
