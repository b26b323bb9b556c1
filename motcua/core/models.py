from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class PeriodicRun(models.Model):
    """One claimed slot of a periodic job (``core.periodic``): the unique pair makes a slot run once."""

    job = models.CharField(max_length=80)
    slot = models.DateTimeField()
    claimed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="periodic_run_once_per_slot")]
        indexes = [models.Index(fields=["claimed_at"], name="periodic_run_claimed")]

    def __str__(self):
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


class ConfigGeneration(models.Model):
    """The generation of one namespace of slowly-changing configuration (``core.confcache``): a trigger on
    each of the namespace's tables (PostgreSQL) puts a fresh random value here in the statement of any
    write to them, so it commits or rolls back with that write."""

    namespace = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField()

    def __str__(self):
        return f"{self.namespace} @ {self.value}"
