"""Scores the assistant on labelled questions (`data/assistant_questions.json`).

Each answer falls in one bucket:
- **right**: a confident answer (procedure or life event) whose target is among the expected ones;
- **declined**: an out-of-scope question sent to the right place, or a question with nothing in scope
  answered without confidence;
- **asked back, right option**: not confident, and one of the (at most three) options is right;
- **asked back, no right option**: not confident, none of the options is right (a miss, not a harm);
- **confidently wrong**: a confident answer (procedure, life event or "go elsewhere") that is not
  expected — the one that sends an old person to the wrong counter. Target: none.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .assistant import AssistantAnswer, assistant_answer

QUESTIONS = Path(__file__).parent / "data" / "assistant_questions.json"
BUCKETS = ("right", "declined", "asked_back_right", "asked_back_wrong", "confidently_wrong")


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)
    rows: list[tuple[str, list[str], str, str]] = field(default_factory=list)  # question, expected, bucket, got

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _accepts(answer: AssistantAnswer, expected: set[str]) -> bool:
    target = answer.target()
    if target in expected:
        return True
    # A life event whose first procedure was expected is also right.
    return answer.kind == "life_event" and answer.procedure and answer.procedure["code"] in expected


def classify(answer: AssistantAnswer, expected: list[str]) -> str:
    wanted = set(expected)
    if answer.confident:
        if not wanted:
            return "confidently_wrong"
        if _accepts(answer, wanted):
            return "declined" if answer.kind == "outside" else "right"
        return "confidently_wrong"
    if not wanted:
        return "declined"
    options = {o["code"] for o in answer.alternatives}
    if answer.event:
        options.add(f"event:{answer.event['id']}")
    return "asked_back_right" if options & wanted else "asked_back_wrong"


def evaluate(questions: list[dict], *, language: str = "vi") -> Report:
    report = Report()
    for item in questions:
        answer = assistant_answer(item["q"], hotline="1900 0000", language=item.get("language", language))
        bucket = classify(answer, item["expect"])
        report.counts[bucket] += 1
        got = answer.target() or ",".join(o["code"] for o in answer.alternatives) or answer.kind
        report.rows.append((item["q"], item["expect"], bucket, got))
    return report


def load_questions(path: Path = QUESTIONS) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
