"""core.repeats: the one rule for "the same request again is the same request" (double clicks, retries)."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from motcua.core.repeats import REPEAT_WINDOW, earlier_request
from motcua.reports.models import ExportJob

pytestmark = pytest.mark.django_db


def _job(user, **kw):
    return ExportJob.objects.create(requested_by=user, table="t", params={}, fmt="csv", title="x", **kw)


def test_the_newest_matching_row_within_the_window_is_the_earlier_request(intake_a):
    old = _job(intake_a)
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - REPEAT_WINDOW - dt.timedelta(seconds=5))
    recent = _job(intake_a)
    with transaction.atomic():
        assert earlier_request(ExportJob.objects.filter(requested_by=intake_a), user=intake_a) == recent
        recent.delete()
        assert earlier_request(ExportJob.objects.filter(requested_by=intake_a), user=intake_a) is None
