"""Every dashboard table and the periodic report as a `Table` (header + rows), registered by name for the
exports (`exports.register_table`). Each builder checks the scope itself (`selectors.unit_for`: NotFound
outside it), so a queued job cannot reach further than the page it came from."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .exports import Table, register_table

# Jobs with progress: the long ones (a whole province's report, the dossier lists behind a number).
LONG_TABLES = {"report", "dossiers"}


def percent(rate) -> float | None:
    return None if rate is None else round(float(rate) * 100, 1)


def _unit_period(user, params):
    unit = selectors.unit_for(user=user, code=params.get("unit", ""))
    return unit, selectors.period_from(params)


def _period_text(period) -> str:
    return f"{period.date_from:%d/%m/%Y}–{period.date_to:%d/%m/%Y}"


def ranking(*, user, params, describe_only=False, progress=None) -> Table:
    unit, period = _unit_period(user, params)
    title = _("Xếp hạng các xã, %(unit)s, %(p)s") % {"unit": unit.name, "p": _period_text(period)}
    header = [
        _("Hạng"),
        _("Đơn vị"),
        _("Mã"),
        _("Chỉ số 766 (điểm/100)"),
        _("Nộp trực tuyến (%)"),
        _("Đúng hạn (%)"),
        _("Có kết quả điện tử (%)"),
        _("Thanh toán trực tuyến (%)"),
        _("Hài lòng (điểm TB/5)"),
        _("Hồ sơ tiếp nhận"),
    ]
    if describe_only:
        return Table(title, "xep-hang", header, [])
    rows = [
        [
            n,
            r["unit"].name,
            r["unit"].code,
            r["index_total"],
            percent(r["online_rate"]),
            percent(r["on_time_rate"]),
            percent(r["e_result_rate"]),
            percent(r["paid_online_rate"]),
            r["rating_average"],
            r["received"],
        ]
        for n, r in enumerate(
            selectors.stats().units_ranked(parent=unit, date_from=period.date_from, date_to=period.date_to), start=1
        )
    ]
    return Table(title, f"xep-hang-{unit.code}", header, rows, total=len(rows))


SUMMARY_COLUMNS = [
    ("received_online", "Nộp trực tuyến"),
    ("received_counter", "Nộp tại quầy"),
    ("received_assisted", "Được hỗ trợ nộp trực tuyến"),
    ("received_post", "Qua bưu chính"),
    ("finished_early", "Xong trước hạn"),
    ("finished_on_time", "Xong đúng hạn"),
    ("finished_late", "Xong quá hạn"),
    ("in_progress", "Đang giải quyết"),
    ("overdue_now", "Đang quá hạn"),
    ("open_at_end_in_time", "Còn mở cuối kỳ, trong hạn"),
    ("open_at_end_late", "Còn mở cuối kỳ, quá hạn"),
    ("supplement_requests", "Yêu cầu bổ sung"),
    ("refused", "Từ chối"),
    ("withdrawn", "Rút hồ sơ"),
    ("paid_online", "Thanh toán trực tuyến"),
    ("e_result", "Có kết quả điện tử"),
]


def procedures(*, user, params, describe_only=False, progress=None) -> Table:
    unit, period = _unit_period(user, params)
    title = _("Theo thủ tục, %(unit)s, %(p)s") % {"unit": unit.name, "p": _period_text(period)}
    header = [_("Mã thủ tục"), _("Thủ tục"), *[_(label) for _key, label in SUMMARY_COLUMNS], _("Hài lòng (điểm TB/5)")]
    if describe_only:
        return Table(title, "thu-tuc", header, [])
    rows = [
        [
            r["procedure"].code,
            r["procedure"].name,
            *[r.get(key, 0) for key, _label in SUMMARY_COLUMNS],
            r.get("rating_average"),
        ]
        for r in selectors.stats().by_procedure(unit=unit, date_from=period.date_from, date_to=period.date_to)
    ]
    return Table(title, f"thu-tuc-{unit.code}", header, rows, total=len(rows))


def monthly(*, user, params, describe_only=False, progress=None) -> Table:
    unit = selectors.unit_for(user=user, code=params.get("unit", ""))
    title = _("12 tháng gần nhất, %(unit)s") % {"unit": unit.name}
    header = [
        _("Tháng"),
        _("Tiếp nhận"),
        _("Xong đúng hạn, trước hạn"),
        _("Xong quá hạn"),
        _("Trực tuyến"),
        _("Hài lòng (điểm TB/5)"),
    ]
    if describe_only:
        return Table(title, "theo-thang", header, [])
    rows = [
        [
            f"{r['month']:%m/%Y}",
            r["received"],
            r["finished_on_time_or_early"],
            r["finished_late"],
            r["online"],
            r["rating_average"],
        ]
        for r in selectors.stats().monthly(unit=unit, months=12)
    ]
    return Table(title, f"theo-thang-{unit.code}", header, rows, total=len(rows))


def officers(*, user, params, describe_only=False, progress=None) -> Table:
    unit = selectors.unit_for(user=user, code=params.get("unit", ""))
    title = _("Hồ sơ đang giải quyết theo cán bộ, %(unit)s") % {"unit": unit.name}
    header = [
        _("Cán bộ"),
        _("Đang giải quyết"),
        _("Quá hạn"),
        _("Đến hạn trong 1 ngày làm việc"),
        _("Chờ công dân bổ sung"),
    ]
    if describe_only:
        return Table(title, "can-bo", header, [])
    rows = [
        [r["officer"] or _("Chưa phân công"), r["open"], r["overdue"], r["due_soon"], r["paused"]]
        for r in selectors.officers_load(unit=unit)
    ]
    return Table(title, f"can-bo-{unit.code}", header, rows, total=len(rows))


def ratings(*, user, params, describe_only=False, progress=None) -> Table:
    unit, period = _unit_period(user, params)
    title = _("Đánh giá của người dân, %(unit)s, %(p)s") % {"unit": unit.name, "p": _period_text(period)}
    header = [_("Ngày"), _("Thủ tục"), _("Điểm (1–5)"), _("Nhận xét")]
    if describe_only:
        return Table(title, "danh-gia", header, [])
    rows = [
        [timezone.localtime(r["at"]).date(), r["procedure"], r["score"], r["comment"]]
        for r in selectors.ratings_recent(unit=unit, period=period, limit=5000)
    ]
    return Table(title, f"danh-gia-{unit.code}", header, rows, total=len(rows))


def index766(*, user, params, describe_only=False, progress=None) -> Table:
    unit, period = _unit_period(user, params)
    title = _("Chỉ số 766, %(unit)s, %(p)s") % {"unit": unit.name, "p": _period_text(period)}
    header = [
        _("Chỉ tiêu"),
        _("Tên"),
        _("Tử số"),
        _("Mẫu số"),
        _("Tỷ lệ (%)"),
        _("Điểm"),
        _("Tối đa"),
        _("Thiếu dữ liệu"),
        _("Cần thêm để đạt điểm tối đa"),
    ]
    if describe_only:
        return Table(title, "chi-so-766", header, [])
    index = selectors.stats().index_766(unit=unit, date_from=period.date_from, date_to=period.date_to)
    rows = [
        [
            i["key"],
            i.get("label", ""),
            i["numerator"],
            i["denominator"],
            percent(i["rate"]),
            i["points"],
            i["max"],
            _("Có") if i["data_missing"] else "",
            i.get("what_it_takes", ""),
        ]
        for i in index["indicators"]
    ]
    rows.append([_("Tổng"), "", None, None, None, index["total"], 100, "", ""])
    return Table(title, f"chi-so-766-{unit.code}", header, rows, total=len(rows))


def dossiers(*, user, params, describe_only=False, progress=None) -> Table:
    """The dossiers behind a number: code, procedure, channel, dates, status — no applicant's personal data."""
    from motcua.catalog.selectors import procedure_current

    unit, period = _unit_period(user, params)
    metric = params.get("metric", "")
    procedure = procedure_current(code=params["procedure"]) if params.get("procedure") else None
    title = _("Hồ sơ của chỉ số %(m)s, %(unit)s, %(p)s") % {"m": metric, "unit": unit.name, "p": _period_text(period)}
    header = [
        _("Mã hồ sơ"),
        _("Thủ tục"),
        _("Kênh nộp"),
        _("Nộp lúc"),
        _("Hạn trả"),
        _("Xong lúc"),
        _("Kết quả"),
        _("Trạng thái"),
    ]
    qs = selectors.stats().dossiers_behind(
        unit=unit, metric=metric, date_from=period.date_from, date_to=period.date_to, procedure=procedure
    )
    if describe_only:
        return Table(title, "ho-so", header, [])
    total = qs.count()
    rows = (
        [
            d.code,
            d.procedure.name,
            d.get_channel_display(),
            _local(d.submitted_at),
            _local(d.due_at),
            _local(d.finished_at),
            d.get_timeliness_display(),
            d.state.label if d.state else d.status,
        ]
        for d in qs.select_related("procedure").order_by("submitted_at", "pk").iterator(chunk_size=1000)
    )
    return Table(title, f"ho-so-{unit.code}", header, rows, total=total)


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def report(*, user, params, describe_only=False, progress=None) -> Table:
    """The periodic report: receipts and results per unit and field for a period (Circular 01/2018's
    statistics of one-stop results, laid out as the columns of the summary)."""
    unit, period = _unit_period(user, params)
    title = _("Báo cáo tiếp nhận và giải quyết hồ sơ, %(unit)s, %(p)s") % {"unit": unit.name, "p": _period_text(period)}
    header = [_("Đơn vị"), _("Mã đơn vị"), _("Lĩnh vực"), *[_(label) for _key, label in SUMMARY_COLUMNS]]
    if describe_only:
        return Table(title, "bao-cao", header, [])
    units = selectors.report_units(user=user, root=unit)
    rows = (
        [u.name, u.code, field, *[counts.get(key, 0) for key, _label in SUMMARY_COLUMNS]]
        for u, field, counts in selectors.report_rows(units=units, period=period, progress=progress)
    )
    filename = f"bao-cao-{unit.code}-{period.date_from:%Y%m%d}-{period.date_to:%Y%m%d}"
    return Table(title, filename, header, rows, total=len(units), counts_itself=True)


for _name, _builder in {
    "ranking": ranking,
    "procedures": procedures,
    "monthly": monthly,
    "officers": officers,
    "ratings": ratings,
    "index766": index766,
    "dossiers": dossiers,
    "report": report,
}.items():
    register_table(_name, _builder)
