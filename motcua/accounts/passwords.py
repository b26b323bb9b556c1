"""Password rules whose Django wording is missing from Django's Vietnamese catalogue.

Django 5.2 changed the minimum-length message to ``%d`` while its Vietnamese catalogue still has the old
``%(min_length)d`` entry, so the message came out in English on Vietnamese pages and in the API."""

from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLengthValidator
from django.utils.translation import gettext


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    """Django's rule (at least ``min_length`` characters, code ``password_too_short``) in our own words."""

    def get_error_message(self) -> str:
        return gettext("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return gettext("Mật khẩu cần ít nhất %(min_length)d ký tự.") % {"min_length": self.min_length}
