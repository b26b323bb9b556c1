"""Counters against guessing and abuse, one per purpose (login, TOTP, SMS code, tracking, verify, ...).

Kept in the database (the `LoginAttempt` table) rather than a cache: every web process on every machine
sees the same counts without a shared cache server, and the counts survive a restart. Two kinds of limit:

- per key (an account, a dossier code): never a lock-out. After `key_free` failures each further try
  must wait a delay that doubles with every failure, up to `key_max_delay` seconds. A stranger who types
  five wrong passwords for a known account costs its owner a few seconds, not fifteen minutes; a guesser
  is slowed to one try per `key_max_delay`. (Login adds a second factor on top: services.py.)
- per key, when `key_max` is set: at most `key_max` counted events in `window` seconds (codes sent to
  one phone number an hour), then 429 until the oldest leaves the window.
- per client address (from `motcua.core.net.client_ip`): at most `ip_max` counted events in `window`
  seconds, then 429 until the oldest one leaves the window. `count` says what is counted: failures only
  (login, tracking) or every request (work done for strangers: verify, assistant).

Each purpose has its own counters, so wrong tracking lookups never slow anyone's login.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motcua.core.errors import RateLimited

from .models import LoginAttempt


@dataclass(frozen=True)
class Rule:
    window: int = 15 * 60
    key_free: int = 0  # 0: no per-key limit
    key_max_delay: int = 60
    key_max: int = 0  # 0: no hard cap per key (e.g. codes sent to one phone in the window)
    ip_max: int = 0  # 0: no per-address limit
    count: str = "failures"  # or "all"


def rule_for(purpose: str) -> Rule:
    try:
        return Rule(**settings.THROTTLES[purpose])
    except KeyError:
        raise ValueError(f"no throttle rule for purpose {purpose!r}") from None


def key_hash(value: str) -> str:
    """Keys are stored hashed: the table must not become a list of citizens' ID or phone numbers."""
    return hashlib.sha256(value.encode()).hexdigest()


def _message(seconds: int) -> str:
    if seconds < 120:
        n = max(1, seconds)
        wait = ngettext("%(n)s giây", "%(n)s giây", n) % {"n": n}
    else:
        n = math.ceil(seconds / 60)
        wait = ngettext("%(n)s phút", "%(n)s phút", n) % {"n": n}
    return _("Bạn đã thử quá nhiều lần. Hãy đợi %(wait)s rồi thử lại, hoặc gọi bộ phận một cửa để được hỗ trợ.") % {
        "wait": wait
    }


def key_failures(*, purpose: str, key: str, now: dt.datetime | None = None) -> int:
    rule = rule_for(purpose)
    since = (now or timezone.now()) - dt.timedelta(seconds=rule.window)
    return LoginAttempt.objects.filter(
        purpose=purpose, identifier_hash=key_hash(key), succeeded=False, created_at__gte=since
    ).count()


def delay_after(*, failures: int, rule: Rule) -> int:
    """Seconds a key must wait after its last failure: 0 up to key_free failures, then 1, 2, 4 ... capped."""
    if not rule.key_free or failures < rule.key_free:
        return 0
    return min(2 ** min(failures - rule.key_free, 30), rule.key_max_delay)


def throttle_check(*, purpose: str, key: str | None = None, ip_address: str | None = None) -> None:
    """Raise RateLimited (with `retry_after` seconds) when this try must wait."""
    rule = rule_for(purpose)
    now = timezone.now()
    since = now - dt.timedelta(seconds=rule.window)
    events = LoginAttempt.objects.filter(purpose=purpose, created_at__gte=since)
    if key is not None and rule.key_free:
        failures = list(
            events.filter(identifier_hash=key_hash(key), succeeded=False)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[: rule.key_free + 32]
        )
        wait = delay_after(failures=len(failures), rule=rule)
        if wait:
            remaining = math.ceil(wait - (now - failures[0]).total_seconds())
            if remaining > 0:
                raise RateLimited(_message(remaining), retry_after=remaining)
    if key is not None and rule.key_max:
        counted = events.filter(identifier_hash=key_hash(key))
        if rule.count != "all":
            counted = counted.filter(succeeded=False)
        oldest = list(counted.order_by("-created_at").values_list("created_at", flat=True)[: rule.key_max])
        if len(oldest) >= rule.key_max:
            remaining = max(1, math.ceil(rule.window - (now - oldest[-1]).total_seconds()))
            raise RateLimited(_message(remaining), retry_after=remaining)
    if ip_address and rule.ip_max:
        counted = events.filter(ip_address=ip_address)
        if rule.count != "all":
            counted = counted.filter(succeeded=False)
        oldest = list(counted.order_by("-created_at").values_list("created_at", flat=True)[: rule.ip_max])
        if len(oldest) >= rule.ip_max:
            remaining = max(1, math.ceil(rule.window - (now - oldest[-1]).total_seconds()))
            raise RateLimited(_message(remaining), retry_after=remaining)


def throttle_record(
    *, purpose: str, key: str | None = None, ip_address: str | None = None, succeeded: bool = False
) -> None:
    rule_for(purpose)
    hashed = key_hash(key) if key is not None else ""
    if succeeded and hashed:
        # Success clears the key's failures: a citizen who forgets the password once a month never waits.
        LoginAttempt.objects.filter(purpose=purpose, identifier_hash=hashed, succeeded=False).delete()
    LoginAttempt.objects.create(purpose=purpose, identifier_hash=hashed, ip_address=ip_address, succeeded=succeeded)
    if random.random() < 0.01:  # noqa: S311 — housekeeping, not security
        throttle_prune()


def throttle_hit(*, purpose: str, ip_address: str | None, key: str | None = None) -> None:
    """For work done for strangers: count this request, refusing it when the address is over its rate."""
    throttle_check(purpose=purpose, key=key, ip_address=ip_address)
    throttle_record(purpose=purpose, key=key, ip_address=ip_address, succeeded=False)


def throttle_prune(*, older_than: dt.timedelta | None = None) -> int:
    longest = max((Rule(**r).window for r in settings.THROTTLES.values()), default=3600)
    cutoff = timezone.now() - (older_than or dt.timedelta(seconds=longest))
    deleted, _rows = LoginAttempt.objects.filter(created_at__lt=cutoff).delete()
    return deleted
