"""The assistant: one component that reads a citizen's question and answers it, for the chat page, the
API, the messaging channels (Zalo OA, SMS; adapters in `channels.py`) and the search page's "did you
mean".

How it reads a question, in order:
1. **Outside the commune** (`life_events.json`, "outside"): divorce, passport, driving licence, ID card…
   get a short "not done here; go to …" answer, unless the rest of the question clearly names a commune
   procedure ("giấy xác nhận độc thân sau khi ly hôn").
2. **Life events** ("a death in the family", "renting a room"): the procedures that follow, in order,
   with the linked bundle when there is one. When the rest of the question names one of them, that one
   is answered (with the others as next steps); when it names another procedure, the citizen chooses.
3. **Procedure names** (the catalogue search, accent- and typo-tolerant, Vietnamese or English).

It answers with confidence only on strong evidence (a situation from the data file, or a search hit
above `CONFIDENT_SCORE` with a clear lead of `CLEAR_MARGIN`; both calibrated on the labelled set
`data/assistant_questions.json`, figures in docs/assistant.md). Otherwise it offers at most three
options and the hotline.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .life_events import Situation, life_events
from .models import Procedure
from .search import Hit, english_data, evidence
from .selectors import fee_text, procedure_search, procedures_current, time_text

# A search hit is an answer only above this score and this far ahead of the runner-up (calibrated on the
# first labelled set: see docs/assistant.md for the figures before and after).
CONFIDENT_SCORE = 1.0
CLEAR_MARGIN = 0.1
# ...and only when the procedure covers most of the question's words, one of them distinctive.
MIN_COVERAGE = 0.75
# The rest of a question that matched a situation names a procedure only when it is this strong.
NAMED_SCORE = 1.2
# The rest of such a question points elsewhere from this score (with the same coverage rule).
WEAK_SCORE = 0.6
MAX_OPTIONS = 3
# An option is offered only if it explains a quarter of the question's words with a distinctive one, or
# half of them: random matches on "hôm nay trời đẹp quá" are noise, not options.
OPTION_COVERAGE = 0.25
_CODE = re.compile(r"\b\d\.\d{6}\b")
EMPTY_PROMPT = gettext_noop(
    "Bạn hãy nhắn việc cần làm, ví dụ: «làm giấy khai sinh cho con» hoặc «xin giấy xác nhận độc thân»."
)


@dataclass
class AssistantAnswer:
    """`kind`: procedure (one procedure, confident) · life_event (ordered procedures, confident) ·
    outside (not done at the commune; where to go) · choose (not sure: up to three options) ·
    unknown (nothing found) · empty (no question)."""

    kind: str
    text: str
    confident: bool
    procedure: dict | None = None
    alternatives: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    bundle: dict | None = None
    event: dict | None = None
    referral: dict | None = None
    hotline: str = ""
    # The answer's sentences, most important first: channels with little room (SMS) keep a prefix.
    parts: list[str] = field(default_factory=list)
    # The same answer for channels that count characters (SMS): shorter sentences, codes instead of links.
    sms_parts: list[str] = field(default_factory=list)

    @property
    def options(self) -> list[dict]:
        """The procedures a page shows as links or buttons (at most three)."""
        if self.kind == "choose":
            return self.alternatives[:MAX_OPTIONS]
        if self.kind == "life_event":
            return ([self.bundle] if self.bundle else []) + self.steps[: MAX_OPTIONS - bool(self.bundle)]
        if self.procedure:
            return [self.procedure]
        return []

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("parts")
        data.pop("sms_parts")
        data["options"] = self.options
        return data

    def target(self) -> str | None:
        """What the answer points the citizen to, for evaluation: a code, `event:<id>` or `outside:<id>`."""
        if self.kind == "procedure":
            return self.procedure["code"]
        if self.kind == "life_event":
            return f"event:{self.event['id']}"
        if self.kind == "outside":
            return f"outside:{self.referral['id']}"
        return None


def _english() -> bool:
    return (translation.get_language() or "vi").startswith("en")


def _summary(procedure: Procedure) -> dict:
    english = english_data()["procedures"].get(procedure.code, {}) if _english() else {}
    return {
        "code": procedure.code,
        "name": english.get("name") or procedure.display_name,
        "official_name": procedure.name,
        "summary": english.get("summary", ""),
        "url": settings.SITE_URL + reverse("portal:procedure", args=[procedure.code]),
        "time": time_text(procedure),
        "fee": fee_text(procedure),
        "documents": [d.name for d in procedure.documents.all() if d.required],
    }


def _summaries(codes: list[str]) -> dict[str, dict]:
    found = procedures_current().filter(code__in=codes).prefetch_related("documents")
    return {p.code: _summary(p) for p in found}


def _localized(item: dict, key: str) -> str:
    return (item.get(f"{key}_en") if _english() else None) or item.get(key, "")


def _plausible(found) -> bool:
    return (found.coverage >= OPTION_COVERAGE and found.distinctive) or found.coverage >= 2 * OPTION_COVERAGE


def _strong(query: str, hits: list[Hit], threshold: float) -> Hit | None:
    """The top hit when the evidence for it is strong: a high score, a clear lead, most of the question's
    words matched and at least one of them distinctive. Anything less is a guess."""
    if hits and _CODE.search(query) and hits[0].code in _CODE.findall(query):
        return hits[0]  # the citizen typed the procedure's code (e.g. replying to an SMS with options)
    if not hits or hits[0].score < threshold:
        return None
    if len(hits) > 1 and hits[0].score - hits[1].score < CLEAR_MARGIN:
        return None
    found = evidence(query, hits[0].code)
    if found.coverage < MIN_COVERAGE or not found.distinctive:
        return None
    # The question is word for word another procedure's name ("register a birth") but not this one's.
    if not found.whole and any(evidence(query, h.code).whole for h in hits[1:]):
        return None
    return hits[0]


def _hotline_sentence(hotline: str) -> str:
    return _("Cần giúp, gọi đường dây nóng %(hotline)s.") % {"hotline": hotline} if hotline else ""


def _numbered(items: list[dict]) -> str:
    return "; ".join(f"{i}) {o['name']} ({o['code']})" for i, o in enumerate(items, 1))


def _sms_parts(answer: AssistantAnswer) -> list[str]:
    """Codes instead of links where several procedures are listed: a reply with a code gets its guidance."""
    hotline = _hotline_sentence(answer.hotline)
    if answer.kind == "life_event":
        listed = _("%(event)s, bạn làm theo thứ tự: %(steps)s.") % {
            "event": answer.event["name"],
            "steps": _numbered(answer.steps),
        }
        bundle = _("Hoặc làm một lần: mã %(code)s.") % answer.bundle if answer.bundle else ""
        return [listed, bundle, hotline, _("Nhắn mã thủ tục để xem giấy tờ cần mang.")]
    if answer.kind == "choose" and not answer.event:
        return [
            _("Mình chưa chắc bạn cần làm thủ tục nào. Có phải là: %(options)s?")
            % {"options": _numbered(answer.alternatives)},
            _("Nhắn mã thủ tục để xem hướng dẫn, hoặc gọi đường dây nóng %(hotline)s.") % {"hotline": answer.hotline}
            if answer.hotline
            else _("Nhắn mã thủ tục để xem hướng dẫn."),
        ]
    if answer.kind == "choose":
        return [answer.parts[0], hotline]
    return []


def _finish(answer: AssistantAnswer) -> AssistantAnswer:
    answer.parts = [p for p in answer.parts if p]
    answer.sms_parts = [p for p in _sms_parts(answer) if p]
    answer.text = " ".join(answer.parts)
    return answer


# --- the kinds of answer ------------------------------------------------------------------------------
def _procedure_answer(best: dict, *, alternatives: list[dict], next_steps: list[dict], bundle: dict | None, hotline):
    documents = "; ".join(best["documents"][:4]) or _("không cần giấy tờ riêng")
    parts = [
        _("Bạn nên làm thủ tục «%(name)s» (mã %(code)s).") % best,
        _("Hướng dẫn và nộp trực tuyến: %(url)s") % best,
        _("Cần mang: %(documents)s.") % {"documents": documents},
        _("Thời hạn: %(time)s. Lệ phí: %(fee)s.") % best,
    ]
    if next_steps:
        parts.append(_("Sau đó: %(steps)s.") % {"steps": "; ".join(f"{s['name']} ({s['code']})" for s in next_steps)})
    if bundle:
        parts.append(_("Hoặc làm một lần: «%(name)s» (%(url)s).") % bundle)
    if alternatives:
        parts.append(_("Nếu chưa đúng, xem thêm: %(names)s.") % {"names": "; ".join(a["name"] for a in alternatives)})
    parts.append(_hotline_sentence(hotline))
    return _finish(
        AssistantAnswer(
            kind="procedure",
            text="",
            confident=True,
            procedure=best,
            alternatives=alternatives,
            steps=next_steps,
            bundle=bundle,
            hotline=hotline,
            parts=parts,
        )
    )


def _event_steps(event: dict) -> tuple[list[dict], dict | None]:
    codes = [s["code"] for s in event["steps"]] + ([event["bundle"]] if event.get("bundle") else [])
    summaries = _summaries(codes)
    steps = []
    for step in event["steps"]:
        if step["code"] in summaries:
            steps.append({**summaries[step["code"]], "note": _localized(step, "note")})
    bundle = summaries.get(event.get("bundle", ""))
    if bundle:
        bundle = {**bundle, "note": _localized(event, "bundle_note")}
    return steps, bundle


def _event_answer(event: dict, hotline: str) -> AssistantAnswer:
    steps, bundle = _event_steps(event)
    name = _localized(event, "name")
    info = {"id": event["id"], "name": name}
    listed = "; ".join(f"{i}) {s['name']} ({s['code']}): {s['note']}" for i, s in enumerate(steps, 1))
    if event.get("choose"):
        parts = [
            _("%(event)s: tùy trường hợp, %(steps)s.") % {"event": name, "steps": listed},
            " ".join(f"{s['code']}: {s['url']}" for s in steps),
            _hotline_sentence(hotline),
        ]
        return _finish(
            AssistantAnswer(
                kind="choose", text="", confident=False, alternatives=steps, event=info, hotline=hotline, parts=parts
            )
        )
    first = steps[0]
    parts = [
        _("%(event)s, bạn làm theo thứ tự: %(steps)s.") % {"event": name, "steps": listed},
        _("Bước 1: %(url)s") % first,
        _("Bước 1 cần mang: %(documents)s. Thời hạn: %(time)s. Lệ phí: %(fee)s.")
        % {**first, "documents": "; ".join(first["documents"][:4]) or _("không cần giấy tờ riêng")},
    ]
    if bundle:
        parts.insert(1, _("%(note)s Thủ tục «%(name)s»: %(url)s") % bundle)
    parts.append(_localized(event, "after"))
    parts.append(_hotline_sentence(hotline))
    primary = next((s for s in steps if s["code"] == event.get("primary")), first)
    return _finish(
        AssistantAnswer(
            kind="life_event",
            text="",
            confident=True,
            procedure=primary,
            steps=steps,
            bundle=bundle,
            event=info,
            hotline=hotline,
            parts=parts,
        )
    )


def _outside_answer(item: dict, hotline: str) -> AssistantAnswer:
    referral = {"id": item["id"], "topic": _localized(item, "topic"), "answer": _localized(item, "answer")}
    parts = [referral["answer"], _hotline_sentence(hotline)]
    return _finish(
        AssistantAnswer(kind="outside", text="", confident=True, referral=referral, hotline=hotline, parts=parts)
    )


def _choose_answer(options: list[dict], hotline: str, event: dict | None = None) -> AssistantAnswer:
    options = options[:MAX_OPTIONS]
    if not options:
        parts = [
            _("Mình chưa tìm được thủ tục phù hợp."),
            _("Bạn hãy nói việc cần làm, ví dụ «làm giấy khai sinh cho con», «bố tôi mới mất».")
            if not hotline
            else _("Bạn hãy nói rõ hơn việc cần làm, hoặc gọi đường dây nóng %(hotline)s.") % {"hotline": hotline},
        ]
        return _finish(AssistantAnswer(kind="unknown", text="", confident=False, hotline=hotline, parts=parts))
    listed = "; ".join(f"{i}) {o['name']} ({o['code']}): {o['url']}" for i, o in enumerate(options, 1))
    parts = [
        _("Mình chưa chắc bạn cần làm thủ tục nào. Có phải là: %(options)s?") % {"options": listed},
        _("Bạn chọn một thủ tục, nói rõ hơn việc cần làm, hoặc gọi đường dây nóng %(hotline)s.") % {"hotline": hotline}
        if hotline
        else _("Bạn chọn một thủ tục hoặc nói rõ hơn việc cần làm."),
    ]
    return _finish(
        AssistantAnswer(
            kind="choose", text="", confident=False, alternatives=options, event=event, hotline=hotline, parts=parts
        )
    )


# --- reading the question -----------------------------------------------------------------------------
def _options_for(codes: list[str]) -> list[dict]:
    summaries = _summaries(codes)
    out, seen = [], set()
    for code in codes:
        if code in summaries and code not in seen:
            seen.add(code)
            out.append(summaries[code])
    return out


def _event_codes(event: dict) -> list[str]:
    return [event.get("primary") or event["steps"][0]["code"]] + [s["code"] for s in event["steps"]]


def _answer_named(hit: Hit, event: dict | None, hotline: str) -> AssistantAnswer:
    """A procedure the question names, with the rest of its life event as next steps."""
    summaries = _summaries(
        [
            hit.code,
            *(_event_codes(event) if event else []),
            *([event["bundle"]] if event and event.get("bundle") else []),
        ]
    )
    best = summaries[hit.code]
    next_steps, bundle = [], None
    if event:
        codes = [s["code"] for s in event["steps"]]
        after = codes[codes.index(hit.code) + 1 :] if hit.code in codes else []
        next_steps = [summaries[c] for c in after if c in summaries]
        bundle = summaries.get(event.get("bundle", "")) if hit.code != event.get("bundle") else None
    return _procedure_answer(best, alternatives=[], next_steps=next_steps, bundle=bundle, hotline=hotline)


def _points_elsewhere(rest: str, codes: list[str]) -> Hit | None:
    """A procedure outside the situation that the rest of the question clearly asks about, even if not
    strongly enough to answer it ("kết hôn lưu động vì chồng bị liệt": the disability is the reason, the
    mobile marriage registration the request)."""
    if not rest:
        return None
    hits = procedure_search(query=rest, limit=1)
    if not hits or hits[0].code in codes or hits[0].score < WEAK_SCORE:
        return None
    found = evidence(rest, hits[0].code)
    return hits[0] if found.phrase and found.coverage >= 0.5 else None


def _names_own(rest: str, codes: list[str]) -> Hit | None:
    """One of the situation's own procedures that the rest of the question names by a distinctive phrase
    ("nhập hộ khẩu cho vợ mới cưới": residence, within marriage), clearly ahead of its other procedures."""
    own = [h for h in procedure_search(query=rest, limit=10) if h.code in codes]
    if not own or own[0].score < CONFIDENT_SCORE or (len(own) > 1 and own[0].score - own[1].score < CLEAR_MARGIN):
        return None
    found = evidence(rest, own[0].code)
    return own[0] if found.phrase and found.coverage >= 2 * OPTION_COVERAGE else None


def _situation_answer(question: str, situations: list[Situation], hotline: str) -> AssistantAnswer:
    situation = situations[0]
    item = situation.item
    events = [s for s in situations if s.kind == "event"]
    outside = [s for s in situations if s.kind == "outside"]
    rest = life_events().remainder(question, situation)
    named = _strong(rest, procedure_search(query=rest, limit=3), NAMED_SCORE) if rest else None
    if situation.kind == "outside" and not events:
        if named:  # "xác nhận độc thân sau khi ly hôn": the commune does that part
            return _answer_named(named, None, hotline)
        return _outside_answer(item, hotline)
    if events and outside:
        # "mẹ tôi già yếu không có lương hưu": a life event here and a topic handled elsewhere; offer the
        # commune's procedures and say where the other part is done, without claiming either.
        answer = _choose_answer(_options_for(_event_codes(events[0].item)), hotline)
        referral = outside[0].item
        answer.referral = {
            "id": referral["id"],
            "topic": _localized(referral, "topic"),
            "answer": _localized(referral, "answer"),
        }
        answer.parts.insert(1, answer.referral["answer"])
        return _finish(answer)
    situation = events[0]
    item = situation.item
    if situation is not situations[0]:
        rest = life_events().remainder(question, situation)
        named = _strong(rest, procedure_search(query=rest, limit=3), NAMED_SCORE) if rest else None
    rivals = [s for s in events[1:] if s.strength == situation.strength]
    if rivals:  # two situations read the same: let the citizen pick
        codes = [_event_codes(s.item)[0] for s in [situation, *rivals]]
        return _choose_answer(_options_for(codes), hotline)
    if item.get("choose"):  # "lost my birth certificate": which procedure depends on the register
        return _event_answer(item, hotline)
    codes = _event_codes(item) + ([item["bundle"]] if item.get("bundle") else [])
    # The whole question may name a procedure too ("con mới sinh, làm giấy khai sinh thế nào"), but only
    # on words besides the situation's own ("đám ma" must not read as the funeral allowance).
    whole = _strong(question, procedure_search(query=question, limit=3), CONFIDENT_SCORE)
    if whole and rest and evidence(rest, whole.code).distinctive:
        named = named or whole
    if not named and rest:  # the situation itself vouches for its own procedures at the ordinary level
        named = _names_own(rest, codes)
    if named and named.code in codes:
        return _answer_named(named, item, hotline)
    elsewhere = named or _points_elsewhere(rest, codes)
    if elsewhere:  # the situation and the words point different ways
        return _choose_answer(_options_for([elsewhere.code, _event_codes(item)[0]]), hotline)
    return _event_answer(item, hotline)


def assistant_answer(text: str, *, hotline: str = "", language: str | None = None) -> AssistantAnswer:
    """The answer to one question. `language` ("vi"/"en") overrides the active interface language."""
    if language:
        with translation.override(language):
            return assistant_answer(text, hotline=hotline)
    question = (text or "").strip()
    if not question:
        return _finish(
            AssistantAnswer(
                kind="empty",
                text="",
                confident=False,
                hotline=hotline,
                parts=[_(EMPTY_PROMPT)],
            )
        )
    situations = life_events().find(question)
    if situations:
        return _situation_answer(question, situations, hotline)
    hits = procedure_search(query=question, limit=MAX_OPTIONS + 1)
    best = _strong(question, hits, CONFIDENT_SCORE)
    if best:
        summaries = _options_for([h.code for h in hits])
        alternatives = [summaries_item for summaries_item in summaries if summaries_item["code"] != best.code][:2]
        return _procedure_answer(
            next(s for s in summaries if s["code"] == best.code),
            alternatives=alternatives,
            next_steps=[],
            bundle=None,
            hotline=hotline,
        )
    plausible = [h.code for h in hits if _plausible(evidence(question, h.code))]
    return _choose_answer(_options_for(plausible), hotline)
