"""Reads for the community digital teams: who may see which records, progress against targets."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from motcua.accounts.models import ADMIN_ROLES
from motcua.accounts.selectors import grants_of
from motcua.core.inputs import fold, identifier_digits, phone_forms
from motcua.places.models import VILLAGE_LEVEL, AdministrativeUnit

from .models import AssistanceRecord, Campaign, Member, Person, Team, TeamRole


def is_team_member(*, user) -> bool:
    """Whether the user is on a community digital team (the header's link to the team's pages). Every page
    asks, so it is one statement as written, without the ORM's compile (issue 15 point 8)."""
    if user is None or not user.is_authenticated:
        return False
    with connections[Member.objects.db].cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {Member._meta.db_table} WHERE user_id = %s LIMIT 1", [user.pk])  # noqa: S608
        return cursor.fetchone() is not None


def membership(*, user) -> Member | None:
    today = timezone.localdate()
    return (
        Member.objects.select_related("team__unit")
        .filter(user=user, active_from__lte=today)
        .filter(Q(active_to__isnull=True) | Q(active_to__gte=today))
        .first()
    )


def _lead_units(user) -> list[AdministrativeUnit]:
    units = [g.unit for g in grants_of(user=user, roles=ADMIN_ROLES)]
    units += [
        m.team.unit
        for m in Member.objects.select_related("team__unit").filter(
            user=user, team_role__in=[TeamRole.LEADER, TeamRole.DEPUTY]
        )
    ]
    return units


def can_lead(*, user) -> bool:
    """Team leaders, deputies and administrators review duplicates and see their area's records."""
    return bool(_lead_units(user))


def review_queue(*, user, search: str = "") -> QuerySet[Person]:
    """Likely duplicates among the people recorded by teams the user leads; ``search`` finds a name
    folded on both sides (the register's ``name_key``), or a citizen ID / phone typed in groups."""
    teams = teams_visible_to(user=user)
    qs = Person.objects.filter(review_pending=True, records__member__team__in=teams)
    folded = fold(search)
    if folded:
        digits = identifier_digits(search)
        condition = Q(name_key__contains=folded)
        if digits:
            condition |= Q(citizen_id=digits) | Q(phone__in=[digits, *phone_forms(digits)])
        qs = qs.filter(condition)
    return qs.select_related("possible_duplicate_of", "village").distinct()


def records_visible_to(*, user) -> QuerySet[AssistanceRecord]:
    """Personal data of people helped: the member who recorded it, team leaders above, administrators."""
    condition = Q(member__user=user)
    for unit in _lead_units(user):
        condition |= Q(member__team__unit__path__startswith=unit.path)
    return AssistanceRecord.objects.filter(condition).select_related("member", "village", "person")


def teams_visible_to(*, user) -> QuerySet[Team]:
    condition = Q(pk__in=[])
    for unit in _lead_units(user):
        condition |= Q(unit__path__startswith=unit.path)
    member = membership(user=user)
    if member:
        condition |= Q(pk=member.team_id)
    return Team.objects.filter(condition).select_related("unit")


def active_campaign(*, unit: AdministrativeUnit, on: dt.date | None = None) -> Campaign | None:
    on = on or timezone.localdate()
    ancestors = [unit, *unit.ancestors()]
    return (
        Campaign.objects.filter(units__in=ancestors, starts_on__lte=on, ends_on__gte=on).order_by("-starts_on").first()
    )


@dataclass
class MemberProgress:
    member: Member
    window_start: dt.date
    window_end: dt.date
    done: int
    target: int

    @property
    def met(self) -> bool:
        return self.done >= self.target

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.target)) if self.target else 100


def member_progress(*, member: Member, campaign: Campaign) -> MemberProgress:
    """ "Each member guides at least N people within D days": the D days start at the campaign's launch,
    or on the day a member who joined late joined; only people helped in that window count, each once."""
    start = max(campaign.starts_on, member.active_from)
    end = min(start + dt.timedelta(days=campaign.member_target_days - 1), campaign.ends_on)
    done = (
        AssistanceRecord.objects.filter(member=member, date__gte=start, date__lte=end)
        .values("person_id")
        .distinct()
        .count()
    )
    return MemberProgress(member, start, end, done, campaign.member_target_people)


def team_progress(*, team: Team, campaign: Campaign) -> dict:
    members = list(team.members.all())
    progress = sorted(
        (member_progress(member=m, campaign=campaign) for m in members), key=lambda p: (-p.done, p.member.full_name)
    )
    records = AssistanceRecord.objects.filter(
        member__team=team, date__gte=campaign.starts_on, date__lte=campaign.ends_on
    )
    per_day = Counter(dict(records.values_list("date").annotate(n=Count("id")).values_list("date", "n")))
    days = []
    day = campaign.starts_on
    last = min(campaign.ends_on, timezone.localdate())
    while day <= last:
        days.append((day, per_day.get(day, 0)))
        day += dt.timedelta(days=1)
    villages = AdministrativeUnit.objects.current().filter(unit_type__in=VILLAGE_LEVEL, path__startswith=team.unit.path)
    visited = set(records.exclude(village__isnull=True).values_list("village_id", flat=True))
    people = Person.objects.filter(records__member__team=team, merged_into__isnull=True).distinct()
    return {
        "members": progress,
        "below": [p for p in progress if not p.met],
        "days": days,
        "not_visited": [v for v in villages if v.pk not in visited],
        "people": people.count(),
        "digital_citizens": people.filter(is_digital_citizen=True).count(),
        "accounts": (accounts := sum(1 for p in people.only("skills") if "dvc_account" in p.skills)),
        "account_share": round(100 * accounts / people.count()) if people.count() else 0,
        "records": records.count(),
        "dossiers_helped": dossiers_helped(users=[m.user_id for m in members if m.user_id]),
    }


def dossiers_helped(*, users: list) -> int:
    """Online dossiers the team's members helped citizens submit (channel `assisted`, confirmed by the
    citizen; drafts not yet confirmed do not count)."""
    from motcua.dossiers.models import DRAFT, Channel, Dossier

    if not users:
        return 0
    return Dossier.objects.filter(channel=Channel.ASSISTED, helper_id__in=users).exclude(status=DRAFT).count()


def coverage(*, root: AdministrativeUnit) -> dict:
    """Like the sources quote: "1,141 teams, 7,534 members, 100 % of units covered"."""
    units = AdministrativeUnit.objects.current().filter(path__startswith=root.path)
    teams = Team.objects.filter(unit__path__startswith=root.path)
    covered = teams.values_list("unit_id", flat=True)
    levels = {}
    for label, filt in (
        ("communes", ~Q(unit_type__in=VILLAGE_LEVEL) & ~Q(parent__isnull=True)),
        ("villages", Q(unit_type__in=VILLAGE_LEVEL)),
    ):
        level_units = units.filter(filt)
        total = level_units.count()
        with_team = level_units.filter(pk__in=covered).count()
        levels[label] = {"units": total, "teams": with_team, "share": round(100 * with_team / total) if total else 0}
    return {"teams": teams.count(), "members": Member.objects.filter(team__in=teams).count(), "levels": levels}


def campaign_progress(*, campaign: Campaign, user) -> dict:
    """A campaign across the teams the user may see: per team (unit), members meeting the target, people
    helped, digital citizens; and the totals against the unit target."""
    rows = []
    for team in teams_visible_to(user=user).filter(unit__in=_campaign_units(campaign)):
        data = team_progress(team=team, campaign=campaign)
        rows.append(
            {
                "team": team,
                "members": len(data["members"]),
                "below": len(data["below"]),
                "people": data["people"],
                "digital_citizens": data["digital_citizens"],
                "records": data["records"],
            }
        )
    totals = {key: sum(r[key] for r in rows) for key in ("members", "below", "people", "digital_citizens", "records")}
    target = campaign.unit_target_digital_citizens
    totals["target_share"] = round(100 * totals["digital_citizens"] / target) if target else None
    return {"rows": rows, "totals": totals}


def _campaign_units(campaign: Campaign) -> QuerySet[AdministrativeUnit]:
    return AdministrativeUnit.objects.within(list(campaign.units.all()))


def campaigns_visible_to(*, user) -> QuerySet[Campaign]:
    units = [t.unit for t in teams_visible_to(user=user)]
    ancestors = {a.pk for u in units for a in [u, *u.ancestors()]}
    return Campaign.objects.filter(units__in=ancestors).distinct().order_by("-starts_on")
