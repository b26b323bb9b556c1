from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import officer_required
from motcua.accounts.models import ADMIN_ROLES
from motcua.accounts.selectors import grants_of
from motcua.core.errors import NotFound
from motcua.places.models import PROVINCE_LEVEL, Weekday
from motcua.places.selectors import communes_of

from . import selectors, services
from .followers import recent_runs
from .forms import OverrideForm


def public_year(request, year: int | None = None):
    """The year's days off and make-up days, for citizens planning a visit."""
    year = year or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise Http404
    office = selectors.office_by_code(request.GET.get("co-quan", "")) if request.GET.get("co-quan") else None
    cal = selectors.calendar_for_office(office)
    days = selectors.year_days(cal, year)
    hours = [(Weekday(day).label, periods) for day, periods in sorted(selectors.office_hours(office).items())]
    return render(
        request,
        "calendars/year.html",
        {"year": year, "office": office, "days": days, "hours": hours, "prev": year - 1, "next": year + 1},
    )


def _admin_units(user):
    """Units where the user may edit the calendar: granted units, their communes for a province admin."""
    units = []
    for grant in grants_of(user=user, roles=ADMIN_ROLES):
        units.append(grant.unit)
        if grant.unit.unit_type in PROVINCE_LEVEL:
            units += communes_of(grant.unit)
    return units


@officer_required
def manage(request):
    units = _admin_units(request.user)
    if not units:
        raise Http404
    form = OverrideForm(request.POST if request.method == "POST" else None, units=units)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            unit = next(u for u in units if u.code == form.cleaned_data["unit"])
            try:
                override = services.override_create(
                    actor=request.user,
                    date=form.cleaned_data["date"],
                    kind=form.cleaned_data["kind"],
                    name=form.cleaned_data["name"],
                    unit=unit,
                    legal_basis=form.cleaned_data["legal_basis"],
                )
            except ValidationError as exc:
                for field, field_messages in exc.message_dict.items():
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(
                    request,
                    _("Đã thêm vào lịch làm việc.") + " " + services.recalculation_message(override.recalculation),
                )
                return redirect("calendars:manage")
        status = 400
    today = timezone.localdate()
    overrides = selectors.overrides_recent(units=units, today=today)
    national = selectors.overrides_national(today=today)
    runs = recent_runs(units=units)[:10]
    return render(
        request,
        "calendars/manage.html",
        {"form": form, "overrides": overrides, "national": national, "runs": runs},
        status=status,
    )


@officer_required
@require_POST
def delete(request, pk: int):
    try:
        run = services.override_delete(actor=request.user, override_id=pk)
    except NotFound as exc:
        raise Http404 from exc
    messages.success(request, _("Đã xóa khỏi lịch làm việc.") + " " + services.recalculation_message(run))
    return redirect("calendars:manage")
