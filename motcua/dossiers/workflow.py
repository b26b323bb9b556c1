"""Workflows are versioned data files (`workflows/<key>-<version>.json`, format in docs/dossiers.md):
states, actions, the roles allowed to take each action, step SLA shares, which actions pause or restart
the clock, the forms they issue, the notices they send and the guards they need. Code holds only the
mechanism that reads them; where code must recognise what an action means (assigning, extending, a
supplement) it reads the action's ``kind``, never its name."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from motcua.core.errors import NotAllowed

WORKFLOW_DIR = Path(__file__).parent / "workflows"
CITIZEN = "citizen"
# The kinds code recognises (docs/dossiers.md). Any other action is plain: roles, from → to, note, form.
KINDS = {"assign", "extend", "deliver", "supplement_request", "supplement_submit", "withdraw"}
PARAM_TYPES = {"specialist", "date", "choice", "documents", "text"}
CLOCKS = {"", "pause", "restart"}


@dataclass(frozen=True)
class Param:
    """A value an officer gives with an action (a form field on the page, a key in the API body)."""

    name: str
    label: str
    type: str = "text"
    hint: str = ""
    missing: str = ""
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def is_list(self) -> bool:
        return self.type == "documents"


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    kind: str = ""
    clock: str = ""
    note_required: bool = False
    note_label: str = ""
    once: str = ""
    once_message: str = ""
    # Required params first, then optional ones; each is a Param of the workflow's "params" catalogue.
    params: tuple[Param, ...] = ()
    required_params: tuple[str, ...] = ()
    assignee_only: bool = False
    form: str = ""
    effect: str = ""
    notify: str = ""
    # Only within this many working days of receipt (0 = no limit), e.g. a supplement request.
    within_working_days: int = 0
    # The actor must confirm what they saw first (a leader signs only after the result's preview).
    confirm: bool = False
    # Checks registered by other apps (`register_guard`), e.g. "payment" for `"requires_payment": true`.
    guards: tuple[str, ...] = ()
    event_label: str = ""
    citizen_note: bool = False
    tone: str = ""

    @property
    def requires_payment(self) -> bool:
        return "payment" in self.guards

    @property
    def shows_note(self) -> bool:
        return self.note_required or bool(self.note_label)


@dataclass(frozen=True)
class State:
    name: str
    label: str
    citizen_label: str
    step: str
    paused: bool = False
    final: bool = False
    outcome: str = ""
    # Working hours a dossier may stay in this state (0 = no own limit), e.g. 4 h to check a submission.
    sla_hours: float = 0
    tone: str = ""  # "ok" / "warn" / "" — how pages colour the status


@dataclass(frozen=True)
class SystemEvent:
    """An event that is not an officer's action: the submission, a counter intake, a recalculation."""

    name: str
    label: str
    target: str = ""
    roles: tuple[str, ...] = ()
    form: str = ""
    notify: str = ""
    citizen_note: bool = False


class Workflow:
    # The action kinds this kind of workflow may use. Another item that moves through the engine (feedback,
    # motcua/feedback/workflow.py) subclasses Workflow and widens this set with its own kinds.
    kinds: frozenset[str] = frozenset(KINDS)
    param_types: frozenset[str] = frozenset(PARAM_TYPES)

    def __init__(self, data: dict):
        self.key = data["key"]
        self.version = int(data["version"])
        self.name = data["name"]
        self.initial = data["initial"]
        # Where "@return" leads when the dossier has no remembered state (older data).
        self.resume_state = data.get("resume_state", self.initial)
        self.states = {
            name: State(
                name=name,
                label=s["label"],
                citizen_label=s.get("citizen_label", s["label"]),
                step=s["step"],
                paused=s.get("paused", False),
                final=s.get("final", False),
                outcome=s.get("outcome", ""),
                sla_hours=float(s.get("sla_hours", 0)),
                tone=s.get("tone", "ok" if s.get("outcome") == "completed" else "warn" if s.get("paused") else ""),
            )
            for name, s in data["states"].items()
        }
        self.steps = data.get("steps", {})
        # The form issued when a dossier closes (the tracking form), besides each action's own form.
        self.closing_form = data.get("closing_form", "")
        self.params = {
            name: Param(
                name=name,
                label=p.get("label", name),
                type=p.get("type", "text"),
                hint=p.get("hint", ""),
                missing=p.get("missing", ""),
                choices=tuple((p.get("choices") or {}).items()),
            )
            for name, p in data.get("params", {}).items()
        }
        self.events = {
            name: SystemEvent(
                name=name,
                label=e.get("label", name),
                target=e.get("to", ""),
                roles=tuple(e.get("roles", ())),
                form=e.get("form", ""),
                notify=e.get("notify", ""),
                citizen_note=e.get("citizen_note", False),
            )
            for name, e in data.get("events", {}).items()
        }
        self.actions = {name: self._action(name, a) for name, a in data["actions"].items()}
        self._validate()

    def _action(self, name: str, a: dict) -> Action:
        required = tuple(a.get("params", ()))
        optional = tuple(a.get("optional_params", ()))
        unknown = [p for p in (*required, *optional) if p not in self.params]
        if unknown:
            raise ValueError(f"{self.key}@{self.version}: action {name} names unknown params {unknown}")
        guards = tuple(a.get("guards", ())) + (("payment",) if a.get("requires_payment") else ())
        return Action(
            name=name,
            label=a["label"],
            sources=tuple(a["from"]),
            target=a["to"],
            roles=tuple(a["roles"]),
            kind=a.get("kind", ""),
            clock=a.get("clock", ""),
            note_required=a.get("note_required", False),
            note_label=a.get("note_label", ""),
            once=a.get("once", ""),
            once_message=a.get("once_message", ""),
            params=tuple(self.params[p] for p in (*required, *optional)),
            required_params=required,
            assignee_only=a.get("assignee_only", False),
            form=a.get("form", ""),
            effect=a.get("effect", ""),
            notify=a.get("notify", ""),
            within_working_days=int(a.get("within_working_days", 0)),
            confirm=a.get("confirm", False),
            guards=guards,
            event_label=a.get("event_label", ""),
            citizen_note=a.get("citizen_note", False),
            tone=a.get("tone", ""),
        )

    @property
    def ref(self) -> str:
        return f"{self.key}@{self.version}"

    def _validate(self) -> None:
        for action in self.actions.values():
            for state in action.sources:
                if state not in self.states:
                    raise ValueError(f"{self.ref}: action {action.name} starts from unknown state {state}")
            if not action.target.startswith("@") and action.target not in self.states:
                raise ValueError(f"{self.ref}: action {action.name} leads to unknown state {action.target}")
            if action.kind and action.kind not in self.kinds:
                raise ValueError(f"{self.ref}: action {action.name} has unknown kind {action.kind}")
            if action.clock not in CLOCKS:
                raise ValueError(f"{self.ref}: action {action.name} has unknown clock {action.clock}")
            if action.clock == "pause" and not self.states[action.target].paused:
                raise ValueError(f"{self.ref}: action {action.name} pauses the clock but {action.target} is not paused")
        for param in self.params.values():
            if param.type not in self.param_types:
                raise ValueError(f"{self.ref}: param {param.name} has unknown type {param.type}")
        for event in self.events.values():
            if event.target and event.target not in self.states:
                raise ValueError(f"{self.ref}: event {event.name} leads to unknown state {event.target}")
        if self.initial not in self.states or self.resume_state not in self.states:
            raise ValueError(f"{self.ref}: unknown initial or resume state")
        for step in {s.step for s in self.states.values()}:
            if self.steps and step not in self.steps:
                raise ValueError(f"{self.ref}: state step {step} is not in steps")

    # --- reading -------------------------------------------------------------------------------------------
    def open_states(self) -> list[str]:
        return [s.name for s in self.states.values() if not s.final]

    def paused_states(self) -> list[str]:
        return [s.name for s in self.states.values() if s.paused]

    def intake_state(self, *, at_counter: bool) -> str:
        """Where a new dossier starts: online it waits for the completeness check; at the counter the
        officer's check is the intake itself (the `receive_at_counter` event's "to")."""
        if at_counter:
            event = self.events.get("receive_at_counter")
            return event.target if event and event.target else self.resume_state
        event = self.events.get("submit")
        return event.target if event and event.target else self.initial

    def action_of_kind(self, kind: str) -> Action | None:
        return next((a for a in self.actions.values() if a.kind == kind), None)

    def event_label(self, name: str) -> str:
        """The untranslated label of an event in the dossier's log (an action or a system event)."""
        action = self.actions.get(name)
        if action is not None:
            return action.event_label or action.label
        event = self.events.get(name)
        return event.label if event is not None else name

    def notify_template(self, name: str) -> str:
        action = self.actions.get(name)
        if action is not None:
            return action.notify
        event = self.events.get(name)
        return event.notify if event is not None else ""

    def shows_note_to_citizen(self, name: str) -> bool:
        action = self.actions.get(name)
        event = self.events.get(name)
        return bool((action and action.citizen_note) or (event and event.citizen_note))

    def step_shares(self, overrides: dict | None = None) -> list[tuple[str, str, float]]:
        """(step, label, share of the legal time) in order; a procedure's own shares replace the
        workflow's where given (the unit's internal procedure)."""
        overrides = overrides or {}
        return [
            (step, spec.get("label", step), float(overrides.get(step, spec.get("sla_share", 0))))
            for step, spec in self.steps.items()
        ]

    def available(self, state: str, roles: set[str]) -> list[Action]:
        return [a for a in self.actions.values() if state in a.sources and roles & set(a.roles)]

    def check(self, state: str, action_name: str, roles: set[str]) -> Action:
        """The action if it may be taken now by someone with these roles; otherwise NotAllowed (422)."""
        action = self.actions.get(action_name)
        if action is None:
            raise NotAllowed(
                _("Không có thao tác «%(a)s» trong quy trình này") % {"a": action_name}, code="unknown_action"
            )
        if state not in action.sources:
            raise NotAllowed(
                _("Không thể «%(a)s» khi hồ sơ đang ở trạng thái «%(s)s»")
                % {"a": _(action.label), "s": _(self.states[state].label)},
                code="invalid_state",
            )
        if not roles & set(action.roles):
            raise NotAllowed(
                _("Vai trò của bạn không được «%(a)s» hồ sơ này") % {"a": _(action.label)}, code="role_not_allowed"
            )
        return action


# --- guards: checks other apps plug in (payments) without editing the engine ----------------------------------
Guard = Callable[..., None]
_GUARDS: dict[str, Guard] = {}


def register_guard(name: str, check: Guard) -> None:
    """Register ``check(dossier=, action=, actor=, params=, now=)`` for actions that name ``name`` in
    their "guards" (``"requires_payment": true`` names "payment"). It raises a DomainError (NotAllowed,
    ValidationFailed…) to refuse; it runs inside the transition's transaction, on the locked dossier."""
    _GUARDS[name] = check


def unregister_guard(name: str) -> None:
    _GUARDS.pop(name, None)


def guards_check(action: Action, **context) -> None:
    """Run the action's guards. A guard the data names but no app registered refuses (fail closed):
    a workflow that asks for payment first never lets a dossier through because nobody checks."""
    for name in action.guards:
        check = _GUARDS.get(name)
        if check is None:
            raise NotAllowed(
                _("Chưa thể «%(a)s»: hệ thống chưa có bước kiểm tra «%(g)s» mà quy trình yêu cầu")
                % {"a": _(action.label), "g": name},
                code="guard_unavailable",
            )
        check(action=action, **context)


# --- files ---------------------------------------------------------------------------------------------------------
def workflow_dirs() -> list[Path]:
    """The built-in directory, then any in settings.WORKFLOW_DIRS (an agency's own workflows; tests)."""
    return [WORKFLOW_DIR, *(Path(p) for p in getattr(settings, "WORKFLOW_DIRS", ()))]


def _files(key: str, dirs: tuple[str, ...]) -> list[Path]:
    return [p for d in dirs for p in Path(d).glob(f"{key}-*.json") if p.stem.rsplit("-", 1)[1].isdecimal()]


@lru_cache(maxsize=64)
def _load(ref: str, dirs: tuple[str, ...], cls: type[Workflow] = Workflow) -> Workflow:
    key, _sep, version = ref.partition("@")
    candidates = _files(key, dirs)
    if version:
        candidates = [p for p in candidates if int(p.stem.rsplit("-", 1)[1]) == int(version)]
    if not candidates:
        raise ValueError(f"no workflow {ref}")
    path = max(candidates, key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return cls(json.loads(path.read_text(encoding="utf-8")))


def load_workflow(ref: str, *, dirs: tuple[Path, ...] | None = None, cls: type[Workflow] = Workflow) -> Workflow:
    """`default@1` → workflows/default-1.json; `default` → the highest version on disk. Cached per
    process (the files are data shipped with a release). ``dirs`` and ``cls`` let another app keep its own
    workflows (its own directory, its own kinds) on the same engine; dossiers use the defaults."""
    directories = dirs if dirs is not None else workflow_dirs()
    return _load(ref, tuple(str(d) for d in directories), cls)


@lru_cache(maxsize=8)
def _known_refs(dirs: tuple[str, ...]) -> tuple[str, ...]:
    refs = set()
    for directory in dirs:
        for path in Path(directory).glob("*-*.json"):
            key, _sep, version = path.stem.rpartition("-")
            if version.isdecimal():
                refs.add(f"{key}@{int(version)}")
    return tuple(sorted(refs))


def known_workflows() -> list[Workflow]:
    """Every workflow version on disk (worklist filters need the states of all of them). The listing is
    cached per process and per set of directories, like the files themselves."""
    return [load_workflow(ref) for ref in _known_refs(tuple(str(d) for d in workflow_dirs()))]


def known_params() -> dict[str, bool]:
    """Every param name any known workflow declares → whether it takes a list (pages read these fields)."""
    return {name: p.is_list for w in known_workflows() for name, p in w.params.items()}


def states_where(predicate: Callable[[Workflow, State], bool]) -> list[str]:
    """State names, over every known workflow, for which predicate(workflow, state) holds."""
    return sorted({s.name for w in known_workflows() for s in w.states.values() if predicate(w, s)})
