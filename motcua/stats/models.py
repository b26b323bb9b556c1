"""Rollup counters per unit × procedure × day and per unit × procedure × month (docs/stats.md).

Both tables hold the same counters and are written together by the same upsert increments, in the
transaction of the change they count (docs/decisions/0004-stats-rollups.md). The day table answers any
range and drill-down by procedure; the month table answers whole months (dashboards, the 766 index) in a
few thousand rows for a province. `stats_verify` recomputes both from the dossiers and their events.

`OpenDay` is not a flow: the dossiers open at the end of each day, taken once a day (docs/stats.md)."""

from django.db import models

from motcua.catalog.models import Procedure
from motcua.places.models import AdministrativeUnit

# Every counter, in the order of the columns. Flow counters: each counts something that happened on the
# row's day (local time, Asia/Ho_Chi_Minh): a submission, a finish, an event, a rating.
COUNTERS = (
    # received, by channel (the submission's day)
    "received_online",
    "received_counter",
    "received_assisted",
    "received_post",
    "received_fee",  # received with a fee to pay (fee_amount > 0): the 766 indicator 3.6 denominator
    "reused",  # received with a document taken from the citizen's store (DocumentUse)
    # finished (the day of the final state): completed early / on time / late by the 766 rules
    "finished_early",
    "finished_on_time",
    "finished_late",
    "refused",
    "withdrawn",
    "stopped",
    "finished_online",  # finished dossiers filed online (online or assisted)
    "finished_online_ok",  # … that count as online for 766: an e-result was issued where a result is due
    "time_used_us",  # completed: Σ (finished_at − received_at), microseconds
    "time_allowed_us",  # completed: Σ (due_at − received_at), microseconds
    # events of the day
    "supplement_requests",
    "extensions",
    "e_result",  # results issued electronically (the event whose action's effect is issue_result)
    "digitised",  # inputs stored as digitised documents (effect store_documents)
    "paid_online",  # dossiers whose first payment through the national portal or a provincial gateway
    # ratings given on the day
    "ratings_count",
    "ratings_sum",
    "ratings_low",  # ratings of 1 or 2 (dissatisfied): the 766 indicator 5.4 "dislikes"
)
BIG = {"time_used_us", "time_allowed_us"}


class Counts(models.Model):
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


for _name in COUNTERS:
    (models.BigIntegerField if _name in BIG else models.IntegerField)(default=0, db_default=0).contribute_to_class(
        Counts, _name
    )


class DayCount(Counts):
    day = models.DateField()

    class Meta:
        db_table = "stats_day"
        constraints = [models.UniqueConstraint(fields=["unit", "procedure", "day"], name="stats_day_unique")]
        indexes = [models.Index(fields=["day", "unit"], name="stats_day_day_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.procedure_id} {self.day:%d/%m/%Y}"


class MonthCount(Counts):
    month = models.DateField()  # the first day of the month

    class Meta:
        db_table = "stats_month"
        constraints = [
            models.UniqueConstraint(fields=["unit", "procedure", "month"], name="stats_month_unique"),
        ]
        indexes = [models.Index(fields=["month", "unit"], name="stats_month_month_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.procedure_id} {self.month:%m/%Y}"


class OpenDay(models.Model):
    """The dossiers open at the end of a local day (Asia/Ho_Chi_Minh midnight after `day`), per unit and
    procedure, judged by the column rule of `motcua.stats.openday` (DOMAIN.md §8, 766 indicator 2.1: "open
    dossiers use the period end"): in time, or late (past due and not waiting for the citizen's supplement).
    Rows only where a count is not zero. Written by the periodic job `stats.snapshot` (docs/stats.md)."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    open_in_time = models.IntegerField(default=0)
    open_late = models.IntegerField(default=0)

    class Meta:
        db_table = "stats_open_day"
        constraints = [models.UniqueConstraint(fields=["unit", "procedure", "day"], name="stats_open_day_unique")]
        indexes = [models.Index(fields=["day", "unit"], name="stats_open_day_day_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.procedure_id} {self.day:%d/%m/%Y}: {self.open_in_time} + {self.open_late}"


class OpenDayTaken(models.Model):
    """A day whose `OpenDay` rows are written (a day with no open dossier has no rows, so the job needs
    this to know what is left to take after a stop)."""

    day = models.DateField(primary_key=True)
    taken_at = models.DateTimeField()

    class Meta:
        db_table = "stats_open_day_taken"

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}"
