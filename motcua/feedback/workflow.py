"""The feedback workflow: the dossier engine's Workflow (motcua/dossiers/workflow.py: states, actions, roles,
once-limits, windows in working days, guards, versions) with the feedback kinds and deadlines added.
Files live in ``feedback/workflows/<key>-<version>.json``; an item keeps the version it started with."""

from __future__ import annotations

from pathlib import Path

from motcua.dossiers.workflow import KINDS, Workflow, load_workflow

FEEDBACK_WORKFLOW_DIR = Path(__file__).parent / "workflows"
DEFAULT_WORKFLOW = "feedback"


class FeedbackWorkflow(Workflow):
    """Adds two kinds: "answer" (the answer is written; the publication clock starts) and "publish" (the
    anonymised answer goes public). Deadlines in working days come from the file's "deadlines"."""

    kinds = frozenset(KINDS | {"answer", "publish"})

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
