"""Uploads and their link to a dossier: deep file checks, quotas, reuse of earlier documents."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import ValidationFailed
from motcua.core.inputs import clean_text, parse_uuid, parse_uuids

from ..models import DRAFT, Attachment, Dossier
from ..uploads import QuotaExceeded, UploadTooLarge, check_upload, display_name


def attachment_upload(*, owner: User, upload, document_name: str = "") -> Attachment:
    """Check the file deeply (uploads.check_upload), within the owner's quota, and keep it under a random
    name whose extension follows the real type. A failed upload leaves neither a row nor a file.
    Locks: the owner's user row (the quota), in a short transaction after the file was checked."""

    try:
        document_name = clean_text(document_name, max_length=300, label=_("Tên giấy tờ"))
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"document_name": exc.messages}) from None
    inspected = check_upload(upload)
    attachment = Attachment(
        owner=owner,
        original_name=display_name(upload.name, inspected.extension),
        content_type=inspected.content_type,
        size=inspected.size,
        sha256=inspected.sha256,
        document_name=document_name,
    )
    try:
        with transaction.atomic():
            _upload_quota_check(owner=owner, size=inspected.size)
            attachment.file.save(attachment.pk.hex, upload, save=False)
            attachment.save()
    except BaseException:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def upload_quota(*, owner: User) -> tuple[int, int]:
    """(files, bytes) the owner may upload in 24 hours: officers scan at the counter all day."""
    from motcua.accounts.selectors import is_officer

    if is_officer(user=owner):
        return settings.UPLOAD_QUOTA_FILES_STAFF, settings.UPLOAD_QUOTA_BYTES_STAFF
    return settings.UPLOAD_QUOTA_FILES, settings.UPLOAD_QUOTA_BYTES


def _upload_quota_check(*, owner: User, size: int) -> None:
    """Under a lock on the owner's row, so parallel uploads cannot both slip under the limit. Files reused
    from earlier dossiers share one stored file and count once."""
    User.objects.select_for_update().filter(pk=owner.pk).first()
    since = timezone.now() - dt.timedelta(hours=24)
    stored = dict(Attachment.objects.filter(owner=owner, created_at__gte=since).values_list("file", "size").distinct())
    max_files, max_bytes = upload_quota(owner=owner)
    if len(stored) + 1 > max_files or sum(stored.values()) + size > max_bytes:
        raise QuotaExceeded(
            _(
                "Bạn đã tải lên %(n)s tệp (%(mb)s MB) trong 24 giờ qua; giới hạn là %(max)s tệp, %(maxmb)s MB. "
                "Hãy dùng lại giấy tờ đã tải hoặc thử lại sau."
            )
            % {
                "n": len(stored),
                "mb": sum(stored.values()) // (1024 * 1024),
                "max": max_files,
                "maxmb": max_bytes // (1024 * 1024),
            },
            fields={"file": [_("Đã hết hạn mức tải lên trong 24 giờ")]},
        )


def _claim_attachments(*, owner: User, dossier: Dossier, ids: list) -> list[Attachment]:
    """Link the owner's unused uploads (or earlier ones, for reuse) to the dossier, within the size limit.
    Locks: the claimed attachment rows; the caller holds the dossier row (locks.py order)."""
    if not ids:
        return []
    parsed = parse_uuids(ids)
    found = list(Attachment.objects.select_for_update().filter(pk__in=parsed, owner=owner)) if parsed else []
    if parsed is None or len(found) != len(set(parsed)):
        raise ValidationFailed(
            _("Có tệp đính kèm không tồn tại hoặc không phải của bạn; hãy tải lên lại"),
            fields={"attachments": [_("Tệp đính kèm không hợp lệ")]},
        )
    linked = []
    for attachment in found:
        if attachment.dossier_id not in (None, dossier.pk):
            # Reuse: a document from an earlier dossier is copied by reference, never moved.
            attachment = Attachment.objects.create(
                owner=owner,
                dossier=dossier,
                document_name=attachment.document_name,
                original_name=attachment.original_name,
                content_type=attachment.content_type,
                size=attachment.size,
                sha256=attachment.sha256,
                file=attachment.file.name,
            )
        else:
            attachment.dossier = dossier
            attachment.save(update_fields=["dossier"])
        linked.append(attachment)
    if not linked:
        return linked  # nothing added: the dossier's total is what it was
    total = Attachment.objects.filter(dossier=dossier).aggregate(s=Sum("size"))["s"] or 0
    if total > settings.DOSSIER_UPLOAD_MAX_BYTES:
        limit = settings.DOSSIER_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise UploadTooLarge(
            _("Tổng dung lượng tệp của một hồ sơ không được quá %(mb)s MB; hãy bỏ bớt hoặc nén tệp") % {"mb": limit},
            fields={"attachments": [_("Tổng dung lượng vượt %(mb)s MB") % {"mb": limit}]},
        )
    return linked


def draft_set_on_behalf(*, draft: Dossier, on_behalf: bool) -> Dossier:
    """Mark a draft as filed by an authorised representative (or not): the authorisation document
    becomes required (`submission._documents_check`)."""
    if draft.on_behalf != on_behalf:
        draft.on_behalf = on_behalf
        draft.save(update_fields=["on_behalf", "updated_at"])
    return draft


def attach_to_draft(*, draft: Dossier, attachment_ids: list) -> list[Attachment]:
    """Link uploads to a citizen's draft. Locks (locks.py order): the draft row, then the attachments."""
    from ..locks import dossier_lock

    with transaction.atomic(durable=True):
        dossier_lock(Dossier.objects.filter(pk=draft.pk))
        # An assisted draft holds the helper's uploads (they took the photos); any other, the citizen's.
        return _claim_attachments(owner=draft.helper or draft.citizen, dossier=draft, ids=attachment_ids)


def attachment_remove_from_draft(*, owner, draft: Dossier, attachment_id) -> int:
    """Remove one of the citizen's files from their own draft (the documents step's «Xóa»). A file that is
    not theirs, not on this draft, or a dossier already submitted is left alone; an id that is not a UUID
    removes nothing. Returns how many rows were removed (0 or 1)."""
    pk = parse_uuid(attachment_id)
    if pk is None:
        return 0
    with transaction.atomic():
        removed, _detail = Attachment.objects.filter(
            pk=pk, owner=owner, dossier=draft, dossier__citizen=owner, dossier__status=DRAFT
        ).delete()
    return removed
