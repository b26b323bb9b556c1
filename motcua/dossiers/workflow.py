"""Workflows are versioned data files (`workflows/<key>-<version>.json`): states, actions, the roles allowed
to take each action, step SLA shares, and which actions pause or restart the clock. Code holds only the
mechanism that reads them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _

from motcua.core.errors import NotAllowed

WORKFLOW_DIR = Path(__file__).parent / "workflows"
CITIZEN = "citizen"


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    clock: str = ""
    note_required: bool = False
    once: str = ""
    params: tuple[str, ...] = ()
    assignee_only: bool = False
    form: str = ""
    effect: str = ""
    # Only within this many working days of receipt (0 = no limit), e.g. a supplement request.
    within_working_days: int = 0
    # The actor must confirm what they saw first (a leader signs only after the result's preview).
    confirm: bool = False


@dataclass(frozen=True)
class State:
    name: str
    label: str
    citizen_label: str
    step: str
    paused: bool = False
    final: bool = False
    outcome: str = ""


class Workflow:
    def __init__(self, data: dict):
        self.key = data["key"]
        self.version = int(data["version"])
        self.name = data["name"]
        self.initial = data["initial"]
        self.states = {
            name: State(
                name=name,
                label=s["label"],
                citizen_label=s.get("citizen_label", s["label"]),
                step=s["step"],
                paused=s.get("paused", False),
                final=s.get("final", False),
                outcome=s.get("outcome", ""),
            )
            for name, s in data["states"].items()
        }
        self.steps = data.get("steps", {})
        # The form issued when a dossier closes (the tracking form), besides each action's own form.
        self.closing_form = data.get("closing_form", "")
        self.actions = {
            name: Action(
                name=name,
                label=a["label"],
                sources=tuple(a["from"]),
                target=a["to"],
                roles=tuple(a["roles"]),
                clock=a.get("clock", ""),
                note_required=a.get("note_required", False),
                once=a.get("once", ""),
                params=tuple(a.get("params", ())),
                assignee_only=a.get("assignee_only", False),
                form=a.get("form", ""),
                effect=a.get("effect", ""),
                within_working_days=int(a.get("within_working_days", 0)),
                confirm=a.get("confirm", False),
            )
            for name, a in data["actions"].items()
        }
        self._validate()

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
        if self.initial not in self.states:
            raise ValueError(f"{self.ref}: unknown initial state")

    def open_states(self) -> list[str]:
        return [s.name for s in self.states.values() if not s.final]

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
                % {"a": action.label, "s": self.states[state].label},
                code="invalid_state",
            )
        if not roles & set(action.roles):
            raise NotAllowed(
                _("Vai trò của bạn không được «%(a)s» hồ sơ này") % {"a": action.label}, code="role_not_allowed"
            )
        return action


@lru_cache(maxsize=32)
def load_workflow(ref: str) -> Workflow:
    """`default@1` → workflows/default-1.json; `default` → the highest version on disk."""
    key, _sep, version = ref.partition("@")
    if not version:
        candidates = sorted(WORKFLOW_DIR.glob(f"{key}-*.json"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        if not candidates:
            raise ValueError(f"no workflow {key}")
        path = candidates[-1]
    else:
        path = WORKFLOW_DIR / f"{key}-{int(version)}.json"
    return Workflow(json.loads(path.read_text(encoding="utf-8")))
