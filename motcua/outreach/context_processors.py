from django.utils.functional import SimpleLazyObject

from .models import Member


def outreach(request):
    user = getattr(request, "user", None)
    return {
        "is_team_member": SimpleLazyObject(
            lambda: bool(user and user.is_authenticated and Member.objects.filter(user=user).exists())
        )
    }
