"""A short, plain answer to a citizen's question: the best procedure, what to bring, time, fee and a
link, plus two alternatives. When unsure it says so and gives the hotline. The same answer serves the
chat page, the API and messaging channels (Zalo OA, SMS) through adapters in `channels.py`."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse

from .models import Procedure
from .selectors import fee_text, procedure_search, procedures_for_hits, time_text

# Below this score the top hit is a guess, not an answer (calibrated on the labelled query set: correct
# answers score above 0.55; questions outside the catalogue score below 0.45).
CONFIDENT_SCORE = 0.5
# A clear winner: the runner-up must be this much lower, or we present the choice instead.
CLEAR_MARGIN = 0.04


@dataclass
class AssistantAnswer:
    text: str
    confident: bool
    procedure: dict | None = None
    alternatives: list[dict] = field(default_factory=list)
    hotline: str = ""


def _summary(procedure: Procedure) -> dict:
    return {
        "code": procedure.code,
        "name": procedure.display_name,
        "official_name": procedure.name,
        "url": settings.SITE_URL + reverse("portal:procedure", args=[procedure.code]),
        "time": time_text(procedure),
        "fee": fee_text(procedure),
        "documents": [d.name for d in procedure.documents.all() if d.required],
    }


def assistant_answer(text: str, *, hotline: str = "") -> AssistantAnswer:
    question = (text or "").strip()
    if not question:
        return AssistantAnswer(
            text="Bạn hãy nhắn việc cần làm, ví dụ: «làm giấy khai sinh cho con» hoặc «xin giấy xác nhận độc thân».",
            confident=False,
            hotline=hotline,
        )
    hits = procedures_for_hits(procedure_search(query=question, limit=3))
    summaries = [_summary(p) for _h, p in hits]
    top_score = hits[0][0].score if hits else 0.0
    if not hits or top_score < CONFIDENT_SCORE:
        lines = ["Mình chưa chắc bạn cần làm thủ tục nào."]
        if summaries:
            lines.append("Có thể là: " + "; ".join(f"{s['name']} ({s['url']})" for s in summaries[:3]) + ".")
        lines.append(
            "Bạn có thể nói rõ hơn việc cần làm" + (f", hoặc gọi đường dây nóng {hotline}." if hotline else ".")
        )
        return AssistantAnswer(text=" ".join(lines), confident=False, alternatives=summaries, hotline=hotline)
    best, alternatives = summaries[0], summaries[1:3]
    documents = "; ".join(best["documents"][:4]) or "không cần giấy tờ riêng"
    parts = [
        f"Bạn nên làm thủ tục «{best['name']}» (mã {best['code']}).",
        f"Cần mang: {documents}.",
        f"Thời hạn: {best['time']}. Lệ phí: {best['fee']}.",
        f"Hướng dẫn và nộp trực tuyến: {best['url']}",
    ]
    if alternatives:
        parts.append("Nếu chưa đúng, xem thêm: " + "; ".join(a["name"] for a in alternatives) + ".")
    if hotline:
        parts.append(f"Cần giúp, gọi {hotline}.")
    return AssistantAnswer(
        text=" ".join(parts), confident=True, procedure=best, alternatives=alternatives, hotline=hotline
    )
