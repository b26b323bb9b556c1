from django.shortcuts import render

from motcua.accounts.decorators import officer_required
from motcua.accounts.models import ADMIN_ROLES, Role
from motcua.accounts.selectors import grants_of


@officer_required
def home(request):
    from motcua.dossiers import selectors
    from motcua.dossiers.staffing import staffing_gaps_for_admin

    grants = grants_of(user=request.user)
    overdue = selectors.overdue_count(user=request.user)
    admin_units = [g.unit for g in grants if g.role in ADMIN_ROLES]
    # Setting up a unit: its administrator sees which offices would strand dossiers (issue 13, kind 6).
    gaps = [gap.message() for gap in staffing_gaps_for_admin(admin_units=admin_units)]
    return render(
        request,
        "workspace/home.html",
        {
            "grants": grants,
            "can_manage_calendar": bool(admin_units),
            "is_intake": any(g.role == Role.INTAKE_OFFICER for g in grants),
            "overdue": overdue,
            "overdue_capped": overdue > selectors.COUNT_CAP,
            "count_cap": selectors.count_cap_text(),
            "staffing_gaps": gaps,
        },
    )
