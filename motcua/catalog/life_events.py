"""Situations in a citizen's life and the questions the commune does not handle.

Data file `data/life_events.json` (JSON Schema beside it): each life event lists the words people use for
it and the procedures that follow, in order; each "outside" entry says where to go instead. A trigger is a
list of phrases that must all occur in the folded question; `@name` stands for a word class, `…` for up
to two words in between. Matching runs on folded tokens (no accents, lower case), so "ba noi mat" and
"bà nội mất" read the same.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from .text import fold, tokens

DATA = Path(__file__).parent / "data"
EVENTS_FILE = DATA / "life_events.json"
SCHEMA_FILE = DATA / "life_events.schema.json"
GAP = "…"


class LifeEventsError(ValueError):
    pass


@dataclass(frozen=True)
class Situation:
    """A life event or an outside topic found in a question; `spans` are the matched character ranges of
    the folded question (the rest is what the citizen said besides the situation)."""

    kind: str  # "event" | "outside"
    id: str
    item: dict
    strength: int  # matched characters: a longer match is a more specific one
    spans: tuple[tuple[int, int], ...]


def _phrase_regex(phrase: str, words: dict[str, list[str]]) -> str:
    parts = []
    for raw in phrase.split():
        if raw == GAP:
            parts.append(r"(?:\S+ ){0,2}")
            continue
        if raw.startswith("@"):
            name = raw[1:]
            if name not in words:
                raise LifeEventsError(f"nhóm từ @{name} không có trong 'words'")
            options = sorted({" ".join(tokens(w)) for w in words[name] if tokens(w)}, key=len, reverse=True)
            parts.append("(?:" + "|".join(re.escape(o) for o in options) + ") ")
        else:
            folded = " ".join(tokens(raw))
            if not folded:
                raise LifeEventsError(f"cụm từ '{phrase}' không có chữ nào")
            parts.append(re.escape(folded) + " ")
    return r"(?<!\S)" + "".join(parts)


def _compile(triggers: list[list[str]], words) -> list[list[re.Pattern]]:
    return [[re.compile(_phrase_regex(p, words)) for p in trigger] for trigger in triggers]


class LifeEvents:
    def __init__(self, data: dict):
        errors = sorted(jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text())).iter_errors(data), key=str)
        if errors:
            first = errors[0]
            where = "/".join(str(p) for p in first.absolute_path)
            raise LifeEventsError(f"{where}: {first.message}")
        ids = [e["id"] for e in data["events"]] + [o["id"] for o in data["outside"]]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise LifeEventsError(f"mã trùng: {', '.join(sorted(duplicates))}")
        words = data["words"]
        self.data = data
        self.events = {e["id"]: e for e in data["events"]}
        self.outside = {o["id"]: o for o in data["outside"]}
        self._generic = re.compile(_phrase_regex("@generic", words)) if "generic" in words else None
        self._rules = []
        for kind, items in (("event", data["events"]), ("outside", data["outside"])):
            for item in items:
                self._rules.append(
                    (kind, item, _compile(item["triggers"], words), _compile(item.get("unless", []), words))
                )

    def codes(self) -> set[str]:
        out = set()
        for event in self.events.values():
            out.update(s["code"] for s in event["steps"])
            out.update(c for c in (event.get("bundle"), event.get("primary")) if c)
        return out

    def find(self, question: str) -> list[Situation]:
        """Every situation the question matches, the most specific first."""
        text = " ".join(tokens(question)) + " "
        found = []
        for kind, item, triggers, unless in self._rules:
            if any(all(p.search(text) for p in rule) for rule in unless):
                continue
            best = None
            for rule in triggers:
                matches = [p.search(text) for p in rule]
                if all(matches):
                    spans = tuple(m.span() for m in matches)
                    strength = sum(b - a for a, b in spans)
                    if best is None or strength > best[0]:
                        best = (strength, spans)
            if best:
                found.append(Situation(kind, item["id"], item, best[0], best[1]))
        found.sort(key=lambda s: -s.strength)
        return found

    def remainder(self, question: str, situation: Situation) -> str:
        """The folded question without any of the words that name the situation (every trigger phrase found
        anywhere, not only the best match: in "đổi cccd hết hạn" both "đổi" and "hết hạn" are about the ID
        card, and "hết hạn" alone must not then read as the temporary-residence extension)."""
        text = " ".join(tokens(question)) + " "
        keep = [True] * len(text)
        for kind, item, triggers, _unless in self._rules:
            if kind != situation.kind or item["id"] != situation.id:
                continue
            for rule in triggers:
                if not all(p.search(text) for p in rule):
                    continue
                for pattern in rule:
                    for match in pattern.finditer(text):
                        for i in range(*match.span()):
                            keep[i] = False
        if self._generic is not None:  # "cấp lại", "giấy chứng nhận": naming nothing on their own
            for match in self._generic.finditer(text):
                for i in range(*match.span()):
                    keep[i] = False
        return " ".join("".join(ch if k else " " for ch, k in zip(text, keep, strict=True)).split())


def load(path: Path = EVENTS_FILE) -> LifeEvents:
    return LifeEvents(json.loads(path.read_text(encoding="utf-8")))


@functools.cache
def life_events() -> LifeEvents:
    return load()


def fold_text(text: str) -> str:
    return fold(text)
