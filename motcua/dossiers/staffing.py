"""Nothing strands a dossier (issue 13, kind 6): a unit whose one-stop office receives dossiers must have
someone in each role its workflow needs to take a dossier from receipt to the returned result. Read by a
database system check, the `staffing_check` command, the Office admin page and the demo seed."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import OFFICER_ROLES, Role, RoleGrant
from motcua.catalog.models import Procedure
from motcua.places.models import Office

from .workflow import CITIZEN, Workflow, load_workflow


@dataclass(frozen=True)
class StaffingGap:
    office: Office
    workflow: str
    action: str  # the first step nobody can take
    roles: tuple[str, ...]

    def message(self) -> str:
        labels = " / ".join(str(Role(r).label) for r in self.roles if r in Role.values)
        return _(
            "%(office)s: không ai có vai trò %(roles)s để «%(action)s»; hồ sơ nhận ở đây sẽ bị kẹt. Hãy phân quyền "
            "cho một cán bộ của đơn vị (hoặc cấp trên)."
        ) % {"office": self.office.name, "roles": labels, "action": self.action}


def _active_grants() -> list[tuple[str, str]]:
    """(unit path, role) of every active officer grant: one query, matched to offices by path prefix."""
    today = timezone.localdate()
    return list(
        RoleGrant.objects.filter(role__in=OFFICER_ROLES, user__is_active=True, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .values_list("unit__path", "role")
        .distinct()
    )


def staffed_roles(unit, grants: list[tuple[str, str]] | None = None) -> set[str]:
    """Roles someone active holds on the unit or a unit above it (a grant covers everything below)."""
    grants = _active_grants() if grants is None else grants
    return {role for path, role in grants if unit.path.startswith(path)}


def blocked_step(workflow: Workflow, staffed: set[str]):
    """The first action on the way to a completed result that nobody staffed can take, or None when a
    dossier can reach the end. A breadth-first walk over the workflow data, so any workflow file works."""
    reached, frontier = {workflow.initial}, [workflow.initial]
    blocked = None
    while frontier:
        state = frontier.pop(0)
        for action in workflow.actions.values():
            if state not in action.sources or action.target.startswith("@") or action.target in reached:
                continue
            target = workflow.states[action.target]
            if target.final and target.outcome != "completed":
                continue
            if not (set(action.roles) - {CITIZEN}) & staffed:
                blocked = blocked or action
                continue
            if target.final:
                return None
            reached.add(action.target)
            frontier.append(action.target)
    return blocked


def staffing_gaps_for_admin(*, admin_units) -> list[StaffingGap]:
    """The gaps of the active offices within the units an administrator manages (their home page)."""
    from motcua.places.models import AdministrativeUnit

    if not admin_units:
        return []
    offices = Office.objects.filter(is_active=True, unit__in=AdministrativeUnit.objects.within(admin_units))
    return staffing_gaps(offices.select_related("unit"))


def staffing_warnings(offices=None) -> list[str]:
    """The gaps' messages, for places' office admin (places.warnings; None: every active office)."""
    return [gap.message() for gap in staffing_gaps(offices)]


def staffing_gaps(offices=None) -> list[StaffingGap]:
    offices = list(offices if offices is not None else Office.objects.filter(is_active=True).select_related("unit"))
    workflows = sorted(set(Procedure.objects.current().values_list("workflow", flat=True))) or ["default"]
    gaps = []
    grants = _active_grants() if offices else []
    for office in offices:
        staffed = staffed_roles(office.unit, grants)
        for ref in workflows:
            workflow = load_workflow(ref)
            action = blocked_step(workflow, staffed)
            if action is not None:
                gaps.append(
                    StaffingGap(office, workflow.ref, action.label, tuple(r for r in action.roles if r != CITIZEN))
                )
    return gaps


def assignable_specialists(*, dossier) -> QuerySet:
    """Who may be assigned to appraise this dossier: active specialists of its unit or a unit above it,
    with a grant valid today. The one rule: the assignment dropdown lists these and `dossier_transition`
    accepts only these (DOMAIN.md §4.3, "the head assigns a specialist")."""
    from motcua.accounts.selectors import users_with_role_on

    return users_with_role_on(role=Role.SPECIALIST, unit=dossier.unit)
