from django.utils.functional import SimpleLazyObject

from .selectors import is_team_member


def outreach(request):
    user = getattr(request, "user", None)
    return {"is_team_member": SimpleLazyObject(lambda: is_team_member(user=user))}
