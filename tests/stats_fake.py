"""A tiny stand-in for `motcua.stats.selectors` (the STATS_API contract) used by the dashboard tests only while
the stats app has not landed; once it is importable, `use_stats` returns the real module and the tests run
on the real numbers."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

from django.db.models import Q

from motcua.accounts.models import OFFICER_ROLES
from motcua.places.models import AdministrativeUnit


def real_stats_available() -> bool:
    return (
        importlib.util.find_spec("motcua.stats") is not None
        and importlib.util.find_spec("motcua.stats.selectors") is not None
    )


def _dossiers(unit):
    from motcua.dossiers.models import DRAFT, Dossier

    return Dossier.objects.filter(unit__path__startswith=unit.path).exclude(status=DRAFT)


def _summary(units, date_from, date_to, procedure=None):
    qs = _dossiers(units[0])
    if procedure is not None:
        qs = qs.filter(procedure=procedure)
    count = lambda **kw: qs.filter(**kw).count()  # noqa: E731
    return {
        "received": {c: count(channel=c) for c in ("online", "counter", "assisted", "post")},
        "finished": {t: count(is_open=False, timeliness=t) for t in ("early", "on_time", "late")},
        "in_progress": count(is_open=True),
        "overdue_now": 0,
        "supplement_requests": 0,
        "refused": count(status="refused"),
        "withdrawn": count(status="withdrawn"),
        "paid_online": 0,
        "e_result": 0,
        "rating": {"count": 0, "average": None},
    }


def _index(unit, date_from, date_to):
    return {
        "total": 61.5,
        "groups": [{"key": "2", "points": 15.0, "max": 20}],
        "indicators": [
            {"key": "2.1", "numerator": 3, "denominator": 4, "rate": 0.75, "points": 15.0, "max": 20,
             "data_missing": False, "label": "Đúng hạn", "what_it_takes": "1 hồ sơ nữa đúng hạn"},
            {"key": "1.4", "numerator": 0, "denominator": 0, "rate": None, "points": None, "max": 6,
             "data_missing": True, "label": "Đồng bộ", "what_it_takes": ""},
        ],
    }  # fmt: skip


def _ranked(parent, date_from, date_to):
    children = AdministrativeUnit.objects.filter(parent=parent).order_by("name")
    return [
        {"unit": c, "index_total": 50.0 + n, "online_rate": 0.5, "on_time_rate": 0.9, "e_result_rate": None,
         "paid_online_rate": 0.25, "rating_average": 4.5, "received": _dossiers(c).count()}
        for n, c in enumerate(children)
    ]  # fmt: skip


def _by_procedure(unit, date_from, date_to):
    from motcua.catalog.models import Procedure

    out = []
    for procedure in Procedure.objects.filter(pk__in=_dossiers(unit).values("procedure_id")):
        s = _summary([unit], date_from, date_to, procedure)
        row = {"procedure": procedure, "in_progress": s["in_progress"], "overdue_now": 0, "rating_average": None}
        row.update({f"received_{k}": v for k, v in s["received"].items()})
        row.update({f"finished_{k}": v for k, v in s["finished"].items()})
        out.append(row)
    return out


def _monthly(unit, months=12, until=None):
    import datetime as dt

    first = dt.date(2026, 1, 1)
    return [
        {"month": first.replace(month=m), "received": m, "finished_on_time_or_early": m - 1, "finished_late": 1,
         "online": m // 2, "rating_average": None}
        for m in range(1, months + 1)
    ]  # fmt: skip


def _behind(unit, metric, date_from, date_to, procedure=None):
    from motcua.core.errors import NotFound

    qs = _dossiers(unit)
    if procedure is not None:
        qs = qs.filter(procedure=procedure)
    if metric == "in_progress":
        return qs.filter(is_open=True)
    if metric in ("received.online", "received.counter", "received.assisted", "received.post"):
        return qs.filter(channel=metric.split(".")[1])
    if metric.startswith("finished."):
        return qs.filter(is_open=False, timeliness=metric.split(".")[1])
    if metric in ("overdue_now", "supplement_requests", "refused", "withdrawn", "paid_online", "e_result",
                  "rating.count"):  # fmt: skip
        return qs.filter(Q(pk__in=[]))
    raise NotFound("Không có chỉ số này")


def _scope(user):
    from motcua.accounts.selectors import units_in_scope

    if not getattr(user, "is_authenticated", False):
        return AdministrativeUnit.objects.none()
    return units_in_scope(user=user, roles=OFFICER_ROLES)


FAKE = SimpleNamespace(
    units_in_scope=_scope,
    summary=lambda *, units, date_from, date_to, procedure=None: _summary(units, date_from, date_to, procedure),
    index_766=lambda *, unit, date_from, date_to: _index(unit, date_from, date_to),
    units_ranked=lambda *, parent, date_from, date_to: _ranked(parent, date_from, date_to),
    by_procedure=lambda *, unit, date_from, date_to: _by_procedure(unit, date_from, date_to),
    monthly=lambda *, unit, months=12, until=None: _monthly(unit, months, until),
    dossiers_behind=lambda *, unit, metric, date_from, date_to, procedure=None: _behind(
        unit, metric, date_from, date_to, procedure
    ),
)


def use_stats(monkeypatch):
    """The real stats selectors when the stats app exists, else the fake (patched into reports.selectors)."""
    if real_stats_available():
        from motcua.stats import selectors

        return selectors
    from motcua.reports import selectors

    monkeypatch.setattr(selectors, "stats", lambda: FAKE)
    return FAKE
