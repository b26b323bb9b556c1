"""A per-process cache of slowly-changing configuration (the current procedures with their documents and fees,
offices with their units, office hours and calendar overrides, payment accounts, officers' role grants) that
is never stale.

Each namespace ("catalog", "places", "calendars", "payments", "grants": officers' role grants) has a
generation row (`ConfigGeneration`). On PostgreSQL a statement trigger on every table of the namespace (its
app's migration) writes a fresh random value there in the statement of any write to the table: services, the
admin, queryset and bulk updates, management commands and raw SQL alike, so it commits or rolls back with the
write. A request that wants cached configuration opens a `snapshot()`, which reads every generation in one
query when the first value is looked up (a block that looks nothing up reads nothing); inside it, `cached()`
hands out a value only if it was built under the same generations of the namespaces it depends on, else it
builds it again. So every process sees a change with the next request after the commit, with no delay.

A generation is random, never a counter: a value a rolled-back transaction wrote is not written again, so a
value cached from its uncommitted rows never matches later. Outside a snapshot, and on other databases
(SQLite serves one commune), `cached()` just builds the value: the callers behave as without a cache.

Values are shared by the threads of the process: callers read them and never change them. Writes that bypass
triggers (a data-only restore with --disable-triggers, session_replication_role = replica) need a restart of
the application servers afterwards, like any restore."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import connection

T = TypeVar("T")

NAMESPACES = ("catalog", "places", "calendars", "payments", "grants")
# A bound on the entries (procedures, offices, calendars…): past it the cache starts again, empty.
MAX_ENTRIES = 20_000

_generations: contextvars.ContextVar[dict[str, int] | None] = contextvars.ContextVar("config_generations", default=None)
_entries: dict[tuple, tuple[tuple, object]] = {}


def generations_read() -> dict[str, int]:
    """{namespace: generation} as committed (or as written by the current transaction); one query. A
    namespace never written since the tables were made has no row (and no entry in the result)."""
    from .models import ConfigGeneration

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT namespace, value FROM {ConfigGeneration._meta.db_table}")  # noqa: S608 — our table
        return dict(cursor.fetchall())


# A snapshot whose generations are not read yet (nothing looked up so far).
_UNREAD: dict[str, int] = {}


@contextmanager
def snapshot() -> Iterator[None]:
    """Use the cache for the block (one request): the generations are read once, when the block first looks a
    value up (one query on PostgreSQL, none elsewhere, none for a block that looks nothing up). Nested
    snapshots use the outer one's generations."""
    if _generations.get() is not None or connection.vendor != "postgresql":
        yield
        return
    token = _generations.set(_UNREAD)
    try:
        yield
    finally:
        _generations.reset(token)


def _current() -> dict[str, int] | None:
    """The snapshot's generations (read now if the snapshot has not read them yet), or None outside one."""
    generations = _generations.get()
    if generations is _UNREAD:
        generations = generations_read()
        _generations.set(generations)
    return generations


def cached(key: tuple, namespaces: tuple[str, ...], build: Callable[[], T]) -> T:
    """The value ``build()`` gives, from the cache when it was built under the snapshot's generations of
    ``namespaces`` (every table ``build`` reads must belong to them). ``key``: unique across callers
    (start it with the caller's name). Outside a snapshot: ``build()``, nothing kept. None is not kept."""
    hit = lookup(key, namespaces)
    if hit is not None:
        return hit
    value = build()
    store(key, namespaces, value)
    return value


def lookup(key: tuple, namespaces: tuple[str, ...]):
    """The value kept under ``key`` if it was built under the snapshot's generations of ``namespaces``, else
    None (and always None outside a snapshot). With `store`, for callers that build many values at once
    (a worklist page's office calendars): look each up, build the missing ones together, store them."""
    generations = _current()
    if generations is None:
        return None
    hit = _entries.get(key)
    if hit is not None and hit[0] == tuple(generations.get(name) for name in namespaces):
        return hit[1]
    return None


def store(key: tuple, namespaces: tuple[str, ...], value) -> None:
    """Keep ``value`` under ``key`` for the snapshot's generations of ``namespaces`` (nothing outside a
    snapshot, nothing for None). The value must have been built inside this snapshot."""
    generations = _current()
    if generations is None or value is None:
        return
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[key] = (tuple(generations.get(name) for name in namespaces), value)


def clear() -> None:
    """Forget this process's entries (tests: a process that has not read anything yet)."""
    _entries.clear()


def watch_tables(namespace: str, tables: list[str]):
    """The migration operation that makes every write to ``tables`` (any statement: services, the admin,
    queryset and bulk updates, commands, raw SQL) give ``namespace`` a new generation in the same transaction:
    a statement trigger calling core 0002's function. PostgreSQL only (elsewhere nothing is cached)."""
    from django.db import migrations

    def watch(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(
                    f"CREATE TRIGGER config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION motcua_config_changed('{namespace}')"
                )

    def unwatch(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS config_changed ON {table}")

    return migrations.RunPython(watch, unwatch)
