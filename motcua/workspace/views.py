from django.shortcuts import render

from motcua.accounts.models import ADMIN_ROLES, Role
from motcua.accounts.selectors import grants_of

from .decorators import officer_required


@officer_required
def home(request):
    from motcua.dossiers import selectors
    from motcua.dossiers.staffing import staffing_gaps
    from motcua.places.models import AdministrativeUnit, Office

    grants = grants_of(user=request.user)
    overdue = (
        selectors.worklist(user=request.user, query=selectors.WorklistQuery(view="overdue"))
        .order_by()[: selectors.COUNT_CAP + 1]
        .count()
    )
    admin_units = [g.unit for g in grants if g.role in ADMIN_ROLES]
    gaps = []
    if admin_units:
        # Setting up a unit: its administrator sees which offices would strand dossiers (issue 13, kind 6).
        offices = Office.objects.filter(is_active=True, unit__in=AdministrativeUnit.objects.within(admin_units))
        gaps = [gap.message() for gap in staffing_gaps(offices.select_related("unit"))]
    return render(
        request,
        "workspace/home.html",
        {
            "grants": grants,
            "can_manage_calendar": bool(admin_units),
            "is_intake": any(g.role == Role.INTAKE_OFFICER for g in grants),
            "overdue": overdue,
            "staffing_gaps": gaps,
        },
    )
