from django.utils.functional import SimpleLazyObject

from .selectors import is_citizen, is_officer


def roles(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "is_officer": SimpleLazyObject(lambda: signed_in and is_officer(user=user)),
        "is_citizen": SimpleLazyObject(lambda: signed_in and is_citizen(user=user)),
    }
