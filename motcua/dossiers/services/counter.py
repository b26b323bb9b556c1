"""Counter intake of walk-in citizens: find or open their account."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import CitizenProfile, User
from motcua.core.errors import ValidationFailed


def citizen_find_or_create(
    *,
    officer: User,
    citizen_id: str,
    full_name: str = "",
    birth_date: dt.date | None = None,
    gender: str = "",
    phone: str = "",
) -> User:
    """Counter intake: find the walk-in citizen by ID, or open an account for them (no password: they
    can set one later at the counter or by phone verification)."""
    from motcua.accounts.identity import validate_citizen_id
    from motcua.accounts.services import citizen_create

    # Cleaned like everywhere else, so "010 190 012 345" finds the account "010190012345" instead of
    # being "not found" first and "already has an account" after.
    try:
        citizen_id = validate_citizen_id(citizen_id)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"citizen_id": exc.messages}) from exc
    profile = CitizenProfile.objects.select_related("user").filter(citizen_id=citizen_id).first()
    if profile:
        from motcua.accounts.services import citizen_lookup_for_counter

        # Opening an intake for a known citizen is a lookup too: it goes to the same audit log.
        citizen_lookup_for_counter(officer=officer, citizen_id=citizen_id, ip_address=None, purpose="intake")
        return profile.user
    if not (full_name and birth_date and gender and phone):
        raise ValidationFailed(
            _("Công dân chưa có tài khoản: nhập họ tên, ngày sinh, giới tính và số điện thoại"),
            fields={
                k: [_("Bắt buộc")]
                for k, v in (("full_name", full_name), ("birth_date", birth_date), ("gender", gender), ("phone", phone))
                if not v
            },
        )
    try:
        validate_citizen_id(citizen_id, birth_date=birth_date, gender=gender)
        with transaction.atomic():
            return citizen_create(
                full_name=full_name,
                citizen_id=citizen_id,
                birth_date=birth_date,
                gender=gender,
                phone=phone,
                password=None,
            )
    except (ValidationError, IntegrityError) as exc:
        # A repeated or concurrent intake of the same walk-in (double click) opened the account meanwhile:
        # it is this citizen's account, not an error.
        profile = CitizenProfile.objects.select_related("user").filter(citizen_id=citizen_id).first()
        if profile:
            return profile.user
        if isinstance(exc, IntegrityError):
            raise
        raise ValidationFailed(_("Thông tin công dân chưa đúng"), fields=_officer_fields(exc)) from exc


def _officer_fields(exc: ValidationError) -> dict[str, list[str]]:
    """The account checks speak to the citizen ("hãy đăng nhập…"); at the counter the officer reads them."""
    if not hasattr(exc, "error_dict"):
        return {"citizen_id": exc.messages}
    officer_messages = {
        "phone_taken": _(
            "Số điện thoại này đã thuộc tài khoản của một người khác; hãy hỏi công dân số điện thoại khác"
        ),
        "citizen_id_taken": _("Số định danh này đã có tài khoản; tìm công dân theo số định danh để tiếp nhận"),
    }
    return {
        field: [officer_messages.get(error.code, next(iter(error))) for error in errors]
        for field, errors in exc.error_dict.items()
    }
