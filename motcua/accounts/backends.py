from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from motcua.core.inputs import is_ascii_digits, phone_forms

from .identity import normalize_digits
from .models import User


def user_for_identifier(identifier: str) -> User | None:
    """The account a login identifier names: a username, a phone number or a citizen ID."""
    raw = (identifier or "").strip()
    if not raw:
        return None
    digits = normalize_digits(raw)
    condition = Q(username__iexact=raw)
    if is_ascii_digits(digits.removeprefix("+")):
        condition |= Q(phone__in=phone_forms(digits)) | Q(citizen__citizen_id=digits)
    return User.objects.filter(condition).first()


class IdentifierBackend(ModelBackend):
    """Log in with a username, a phone number or a 12-digit citizen ID, plus the password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = user_for_identifier(username)
        if user is None:
            # Same work as a real check, so response time does not reveal which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The signed-in user of a request (ModelBackend.get_user), with the citizen profile joined: every
        page's header asks whether the user is a citizen (`is_citizen`), which was one more query."""
        try:
            user = User._default_manager.select_related("citizen").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
