"""Dashboard tables and the periodic report as spreadsheets (issue 18, point 5).

A *table* is registered by name with a builder ``builder(*, user, params) -> Table``: the same function feeds
the page's direct download (small tables) and the background job (long ones). Files are written by the one
spreadsheet writer (`motcua.core.exports`: cells neutralised against formulas, CSV with a BOM, XLSX typed).

Long exports run as a task (`reports.tasks.export_build`): the job row (`ExportJob`) records rows done out
of the total while the file is written, the progress page reads it, and the file is served only to the
officer who asked for it (others: 404)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.exports import csv_bytes, xlsx_bytes
from motcua.core.repeats import earlier_request

from .models import ExportJob, ExportStatus

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 200  # rows between two progress writes


@dataclass
class Table:
    title: str
    filename: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    total: int | None = None  # rows (or units, see below) expected, when known before writing (progress)
    # True when the builder reports progress itself (the periodic report counts units, not rows).
    counts_itself: bool = False


Builder = Callable[..., Table]
TABLES: dict[str, Builder] = {}


def register_table(name: str, builder: Builder) -> None:
    TABLES[name] = builder


def table_build(*, name: str, user, params: dict, progress: Callable[[int], None] | None = None) -> Table:
    """The named table for this user (the builder checks the scope: NotFound outside it)."""
    builder = TABLES.get(name)
    if builder is None:
        raise NotFound(_("Không có bảng dữ liệu này"))
    return builder(user=user, params=params, progress=progress)


def spreadsheet_content(table: Table, fmt: str, *, progress: Callable[[int], None] | None = None) -> bytes:
    rows: Iterable[Sequence] = table.rows
    if progress is not None and not table.counts_itself:
        rows = _counted(rows, progress)
    if fmt == "xlsx":
        return xlsx_bytes(table.header, rows, sheet_title=table.title)
    return csv_bytes(table.header, rows)


def _counted(rows: Iterable[Sequence], progress: Callable[[int], None]) -> Iterator[Sequence]:
    n = 0
    for n, row in enumerate(rows, start=1):
        if n % PROGRESS_EVERY == 0:
            progress(n)
        yield row
    progress(n)


def export_request(*, user, table: str, params: dict, fmt: str) -> ExportJob:
    """Queue a long export; returns the job (its page shows progress, then the link). Raises NotFound for a
    table that does not exist and ValidationFailed for a format other than csv/xlsx. The builder's scope
    check runs in the task as well as here (a quick check now gives the officer the 404 at once)."""
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed(_("Chọn định dạng tệp: xlsx hoặc csv"), code="bad_format")
    if table not in TABLES:
        raise NotFound(_("Không có bảng dữ liệu này"))
    title = TABLES[table](user=user, params=params, describe_only=True).title
    with transaction.atomic():
        # A double click (or the same request again while the first is still being built) follows the job
        # already asked for instead of building the same file twice; the officer's row serialises the two.
        running = earlier_request(
            ExportJob.objects.filter(
                requested_by=user,
                table=table,
                params=params,
                fmt=fmt,
                status__in=[ExportStatus.PENDING, ExportStatus.RUNNING],
            ),
            user=user,
        )
        if running is not None:
            return running
        job = ExportJob.objects.create(requested_by=user, table=table, params=params, fmt=fmt, title=title[:200])
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id) -> None:
    from .tasks import export_build

    export_build.enqueue(str(job_id))


def export_run(*, job_id) -> ExportJob | None:
    """Build the file of a queued export (the worker's task). Idempotent: a job already done, failed or being
    built by another worker is left alone. Progress is written as it goes (short autocommitted UPDATEs)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None or job.status != ExportStatus.PENDING:
            return job
        job.status = ExportStatus.RUNNING
        job.save(update_fields=["status"])

    def progress(n: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=n)

    try:
        table = table_build(name=job.table, user=job.requested_by, params=job.params, progress=progress)
        if table.total is not None:
            ExportJob.objects.filter(pk=job.pk).update(total=table.total)
        content = spreadsheet_content(table, job.fmt, progress=progress)
        job.refresh_from_db()
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        job.file.save(f"{table.filename}-{stamp}.{job.fmt}", ContentFile(content), save=False)
        job.status, job.finished_at = ExportStatus.DONE, timezone.now()
        job.total = max(job.total, job.done)
        job.save(update_fields=["file", "status", "finished_at", "total"])
    except Exception as exc:  # the officer sees "could not be made"; the log has the reason
        logger.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        job.refresh_from_db()
    return job


def export_get(*, user, job_id) -> ExportJob:
    """The user's own export; NotFound for anyone else's or an unknown id."""
    job = ExportJob.objects.filter(pk=job_id, requested_by=user).first() if user.is_authenticated else None
    if job is None:
        raise NotFound(_("Không tìm thấy tệp xuất dữ liệu này"))
    return job


def exports_prune(*, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Delete exports (rows and files) older than a week: they hold copies of official data."""
    old = list(ExportJob.objects.filter(created_at__lt=timezone.now() - older_than))
    for job in old:
        if job.file:
            job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[j.pk for j in old]).delete()
    return len(old)
