from django.db import migrations

from motcua.core.confcache import watch_tables

# core.confcache: a write to these tables (any statement: services, admin, queryset and bulk updates, commands,
# raw SQL) gives the "payments" namespace a new generation in the same transaction (core 0002's function).
TABLES = [
    "payments_paymentaccount",
]


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("core", "0002_config_generation")]
    operations = [watch_tables("payments", TABLES)]
