from django.shortcuts import render

from motcua.accounts.models import ADMIN_ROLES, Role
from motcua.accounts.selectors import grants_of

from .decorators import officer_required


@officer_required
def home(request):
    grants = grants_of(user=request.user)
    return render(
        request,
        "workspace/home.html",
        {
            "grants": grants,
            "can_manage_calendar": any(g.role in ADMIN_ROLES for g in grants),
            "is_intake": any(g.role == Role.INTAKE_OFFICER for g in grants),
        },
    )
