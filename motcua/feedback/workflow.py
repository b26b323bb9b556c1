"""The feedback workflow: the dossier engine's Workflow (motcua/dossiers/workflow.py: states, actions, roles,
once-limits, windows in working days, guards, versions) with the feedback kinds and deadlines added.
Files live in ``feedback/workflows/<key>-<version>.json``; an item keeps the version it started with."""

from __future__ import annotations

from pathlib import Path

from motcua.dossiers.workflow import KINDS, PARAM_TYPES, Workflow, load_workflow

FEEDBACK_WORKFLOW_DIR = Path(__file__).parent / "workflows"
DEFAULT_WORKFLOW = "feedback"


class FeedbackWorkflow(Workflow):
    """Adds three kinds: "answer" (the answer is written; the publication clock starts), "publish" (the
    anonymised answer goes public) and "transfer" (to a unit on the platform: the item continues there as a
    new item; to an agency outside it: the note names it). Deadlines in working days come from the file's
    "deadlines"."""

    kinds = frozenset(KINDS | {"answer", "publish", "transfer"})
    param_types = frozenset(PARAM_TYPES | {"unit"})  # "unit": a unit on the platform (transfer)

    def __init__(self, data: dict):
        super().__init__(data)
        deadlines = data.get("deadlines") or {}
        self.answer_working_days = int(deadlines["answer_working_days"])
        self.extension_working_days = int(deadlines["extension_working_days"])
        self.publish_working_days = int(deadlines["publish_working_days"])


def feedback_workflow(ref: str = DEFAULT_WORKFLOW) -> FeedbackWorkflow:
    workflow = load_workflow(ref, dirs=(FEEDBACK_WORKFLOW_DIR,), cls=FeedbackWorkflow)
    assert isinstance(workflow, FeedbackWorkflow)
    return workflow
