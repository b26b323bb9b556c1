"""Leaders' pages (issue 18, point 3): a unit's numbers — a province as the ranking of its communes, a
commune as its leader's view — the drill-down to procedures and to the dossiers behind a number, the
periodic report and the exports (direct for the small tables, a job with a progress page for long ones).
Officers see units in their scope; anything else is the same 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.decorators import officer_required
from motcua.core.downloads import download_response
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.exports import XLSX_TYPE, spreadsheet_response
from motcua.reports import charts, exports, selectors
from motcua.reports.tables import LONG_TABLES

DOSSIER_PAGE_SIZE = 50


def _period_or_default(request):
    """The period asked for, or the default one with the error shown (a page with numbers beats an error)."""
    try:
        return selectors.period_from(request.GET), None
    except ValidationFailed as exc:
        return selectors.period_from({}), exc


def _download(request, unit, period):
    """``?bang=<table>&dang=csv|xlsx`` on a dashboard: the table as a file (small tables only)."""
    name, fmt = request.GET.get("bang", ""), request.GET.get("dang", "")
    if name in LONG_TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    params = {"unit": unit.code, "tu": f"{period.date_from:%d/%m/%Y}", "den": f"{period.date_to:%d/%m/%Y}"}
    try:
        table = exports.table_build(name=name, user=request.user, params=params)
    except NotFound as exc:
        raise Http404 from exc
    return spreadsheet_response(
        filename=table.filename, header=table.header, rows=table.rows, fmt=fmt, sheet_title=table.title
    )


@officer_required
def stats_home(request):
    try:
        unit = selectors.home_unit(user=request.user)
    except NotFound as exc:
        raise Http404 from exc
    return redirect("workspace:stats_unit", code=unit.code)


@officer_required
def stats_unit(request, code: str):
    try:
        unit = selectors.unit_for(user=request.user, code=code)
    except NotFound as exc:
        raise Http404 from exc
    period, period_error = _period_or_default(request)
    if request.GET.get("dang"):
        return _download(request, unit, period)
    stats = selectors.stats()
    summary = stats.summary(units=[unit], date_from=period.date_from, date_to=period.date_to)
    index = stats.index_766(unit=unit, date_from=period.date_from, date_to=period.date_to)
    context = {
        "unit": unit,
        "period": period,
        "period_error": period_error,
        "summary": summary,
        "figures": charts.summary_figures(summary),
        "index": index,
        "index_rows": charts.index_rows(index),
    }
    if selectors.is_parent_view(unit):
        ranked = stats.units_ranked(parent=unit, date_from=period.date_from, date_to=period.date_to)
        context.update(ranked=ranked, ranking_chart=charts.ranking_chart(ranked))
        return render(request, "workspace/stats_province.html", context)
    today = timezone.localdate()
    ratings = selectors.ratings_recent(unit=unit, period=period, limit=20)
    months = stats.monthly(unit=unit, months=12)
    context.update(
        today=stats.summary(units=[unit], date_from=today, date_to=today),
        today_date=today,
        officers=selectors.officers_load(unit=unit),
        months=months,
        month_chart=charts.month_chart(months),
        procedures=stats.by_procedure(unit=unit, date_from=period.date_from, date_to=period.date_to),
        ratings=ratings,
        score_counts=selectors.score_counts(ratings),
    )
    return render(request, "workspace/stats_commune.html", context)


@officer_required
def stats_procedure(request, code: str, procedure: str):
    from motcua.catalog.selectors import procedure_current

    try:
        unit = selectors.unit_for(user=request.user, code=code)
        proc = procedure_current(code=procedure)
    except NotFound as exc:
        raise Http404 from exc
    if proc is None:
        raise Http404
    period, period_error = _period_or_default(request)
    summary = selectors.stats().summary(
        units=[unit], date_from=period.date_from, date_to=period.date_to, procedure=proc
    )
    return render(
        request,
        "workspace/stats_procedure.html",
        {
            "unit": unit,
            "procedure": proc,
            "period": period,
            "period_error": period_error,
            "summary": summary,
            "figures": charts.summary_figures(summary),
        },
    )


@officer_required
def stats_dossiers(request, code: str):
    from motcua.catalog.selectors import procedure_current

    metric = request.GET.get("chi-so", "")
    try:
        unit = selectors.unit_for(user=request.user, code=code)
        procedure = procedure_current(code=request.GET["thu-tuc"]) if request.GET.get("thu-tuc") else None
        period = selectors.period_from(request.GET)
        qs = selectors.stats().dossiers_behind(
            unit=unit, metric=metric, date_from=period.date_from, date_to=period.date_to, procedure=procedure
        )
    except (NotFound, ValidationFailed) as exc:
        raise Http404 from exc
    if request.GET.get("thu-tuc") and procedure is None:
        raise Http404
    page = Paginator(qs.select_related("procedure").order_by("-submitted_at", "-pk"), DOSSIER_PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    query = {"chi-so": metric, "tu": f"{period.date_from:%d/%m/%Y}", "den": f"{period.date_to:%d/%m/%Y}"}
    if procedure is not None:
        query["thu-tuc"] = procedure.code
    return render(
        request,
        "workspace/stats_dossiers.html",
        {
            "unit": unit,
            "metric": metric,
            "metric_label": charts.metric_label(metric),
            "procedure": procedure,
            "period": period,
            "page": page,
            "query_prefix": urlencode(query),
            "export_params": {
                "unit": unit.code,
                "metric": metric,
                "procedure": procedure.code if procedure else "",
                "tu": query["tu"],
                "den": query["den"],
            },
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def report(request):
    """The periodic report (receipts and results per unit and field): a GET form, then a job."""
    units = selectors.report_roots(user=request.user)
    period, period_error = _period_or_default(request)
    return render(
        request, "workspace/stats_report.html", {"units": units, "period": period, "period_error": period_error}
    )


@officer_required
@require_POST
def export_create(request):
    table = request.POST.get("bang", "")
    params = {k: request.POST.get(k, "")[:40] for k in ("unit", "tu", "den", "metric", "procedure")}
    try:
        selectors.unit_for(user=request.user, code=params["unit"])
        selectors.period_from(params)
        job = exports.export_request(user=request.user, table=table, params=params, fmt=request.POST.get("dang", ""))
    except NotFound as exc:
        raise Http404 from exc
    except ValidationFailed as exc:
        messages.error(request, exc.message, extra_tags=exc.code)
        return redirect("workspace:stats_report")
    return redirect("workspace:export_status", pk=job.pk)


@officer_required
def export_status(request, pk):
    try:
        job = exports.export_get(user=request.user, job_id=pk)
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "workspace/export_status.html", {"job": job})


@officer_required
def export_download(request, pk):
    try:
        job = exports.export_get(user=request.user, job_id=pk)
    except NotFound as exc:
        raise Http404 from exc
    if not job.file:
        raise Http404
    content_type = XLSX_TYPE if job.fmt == "xlsx" else "text/csv; charset=utf-8"
    return download_response(
        job.file.open("rb"), filename=job.file.name.rsplit("/", 1)[-1], content_type=content_type, inline=False
    )
