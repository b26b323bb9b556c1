"""The public transparency page `/cong-khai` (issue 18, point 3): each unit's figures, computed by the same
selectors as the leaders' pages and the API, and no personal data — only counts and rates per unit. Small
(≤ 60 KB), no JavaScript; the chart is SVG with the same numbers in a table."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from motcua.core.errors import NotFound, ValidationFailed
from motcua.reports import charts, selectors


def public_stats(request):
    period_error = None
    try:
        period = selectors.period_from(request.GET)
    except ValidationFailed as exc:  # the default period, with the error next to the form
        period, period_error = selectors.period_from({}), exc
    code = request.GET.get("tinh", "")
    provinces = selectors.public_provinces()
    try:
        province = selectors.public_unit(code=code) if code else (provinces[0] if provinces else None)
    except NotFound as exc:
        raise Http404 from exc
    context = {
        "provinces": provinces,
        "province": province,
        "period": period,
        "period_error": period_error,
        "updated": timezone.localtime(),
    }
    if province is not None:
        stats = selectors.stats()
        ranked = stats.units_ranked(parent=province, date_from=period.date_from, date_to=period.date_to)
        summary = stats.summary(units=[province], date_from=period.date_from, date_to=period.date_to)
        context.update(
            ranked=ranked,
            ranking_chart=charts.ranking_chart(ranked),
            summary=summary,
            figures=charts.summary_figures(summary),
        )
    return render(request, "portal/public_stats.html", context)


def public_stats_method(request):
    return render(request, "portal/public_stats_method.html")
