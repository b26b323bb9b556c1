from django.utils.functional import SimpleLazyObject

from .selectors import inbox_unread_count


def inbox(request):
    """`inbox_unread` for the header: one COUNT, run only when a page shows the header's inbox link."""
    user = getattr(request, "user", None)
    return {"inbox_unread": SimpleLazyObject(lambda: inbox_unread_count(user=user))}
