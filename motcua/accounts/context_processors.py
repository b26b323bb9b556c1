from django.utils.functional import SimpleLazyObject

from .selectors import is_officer


def roles(request):
    user = getattr(request, "user", None)
    return {"is_officer": SimpleLazyObject(lambda: bool(user and user.is_authenticated and is_officer(user=user)))}
