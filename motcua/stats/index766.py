"""The national service index of Decision 766/QĐ-TTg (2022), computed from the rollup counters and the
catalogue (docs/stats-766.md: each formula next to its source, and which per-indicator points are ours).

`compute(counts, catalogue)` is pure: `counts` are the rollup counters of a unit and period (every name in
models.COUNTERS), `catalogue` the facts about the unit's procedures (`Catalogue`). Indicators the platform has
no data for say `data_missing` and score nothing; they are never guessed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_


@dataclass(frozen=True)
class Catalogue:
    """The unit's procedures (current versions applicable at its level), counted by what the index asks."""

    procedures: int = 0
    online: int = 0  # offered online ("online" among the procedure's channels)
    online_with_dossiers: int = 0  # of those, how many received an online dossier in the period
    fee_bearing: int = 0  # with a fee or charge that is not zero
    fee_bearing_online: int = 0  # of those, payable online (offered online: the platform takes the payment)


@dataclass(frozen=True)
class Feedback:
    """Feedback and petitions (motcua/feedback) of the unit received in the period."""

    received: int = 0
    processed: int = 0  # answered, or ended otherwise (refused, returned, transferred)
    on_time: int = 0  # of the processed ones, answered or ended by their due moment
    disliked: int = 0  # the sender rated the handling 1 or 2
    overdue: int = 0  # processed after the due moment, or still open past it
    complaints: int = 0  # about a dossier or an officer, naming a dossier (5.4)


@dataclass(frozen=True)
class Indicator:
    key: str
    group: str
    label: str
    max: int
    threshold: Fraction = Fraction(1)  # full points at or above this rate
    missing: str = ""  # why the platform has no data (the indicator is then data_missing)
    needs: str = ""  # what one more of the numerator is, for the "what it takes" line


GROUPS = (("1", 18), ("2", 20), ("3", 22), ("4", 22), ("5", 18))
GROUP_LABELS = {
    "1": N_("Công khai, minh bạch"),
    "2": N_("Tiến độ giải quyết"),
    "3": N_("Dịch vụ công trực tuyến"),
    "4": N_("Số hoá hồ sơ"),
    "5": N_("Mức độ hài lòng"),
}
_NATIONAL = N_("Nền tảng chưa kết nối Cổng Dịch vụ công quốc gia nên chưa có số liệu")
_CATALOGUE = N_("Nền tảng chưa ghi thời điểm công bố, công khai thủ tục nên chưa có số liệu")

# Per-indicator points: the group maxima are Decision 766's; the split inside a group is our reading of
# public summaries and is unconfirmed (docs/stats-766.md says so).
INDICATORS = (
    Indicator("1.1", "1", N_("Thủ tục hành chính được công bố đúng hạn"), 4, missing=_CATALOGUE),
    Indicator("1.2", "1", N_("Thủ tục được cập nhật, công khai đúng hạn"), 4, missing=_CATALOGUE),
    Indicator("1.3", "1", N_("Thủ tục được công khai đầy đủ các bộ phận"), 4, missing=_CATALOGUE),
    Indicator("1.4", "1", N_("Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia"), 6, missing=_NATIONAL),
    Indicator("2.1", "2", N_("Hồ sơ giải quyết trước hạn, đúng hạn"), 18, needs=N_("hồ sơ trước hạn hoặc đúng hạn")),
    Indicator("2.2", "2", N_("Thời gian giải quyết trung bình so với thời hạn (giờ)"), 2, needs=N_("giờ rút ngắn")),
    Indicator(
        "3.1", "3", N_("Thủ tục cung cấp dịch vụ công trực tuyến"), 3, Fraction(4, 5), needs=N_("thủ tục trực tuyến")
    ),
    Indicator("3.2", "3", N_("Dịch vụ công trực tuyến có phát sinh hồ sơ"), 3, needs=N_("thủ tục có hồ sơ trực tuyến")),
    Indicator(
        "3.3", "3", N_("Hồ sơ nộp trực tuyến (có kết quả điện tử)"), 6, Fraction(1, 2), needs=N_("hồ sơ trực tuyến")
    ),
    Indicator(
        "3.5", "3", N_("Thủ tục có phí, lệ phí cho thanh toán trực tuyến"), 4, Fraction(4, 5), needs=N_("thủ tục")
    ),
    Indicator("3.6", "3", N_("Hồ sơ thanh toán trực tuyến"), 6, needs=N_("hồ sơ thanh toán trực tuyến")),
    Indicator("4.1", "4", N_("Hồ sơ có kết quả điện tử"), 6, needs=N_("hồ sơ có kết quả điện tử")),
    Indicator("4.2", "4", N_("Hồ sơ được số hoá thành phần hồ sơ"), 6, Fraction(4, 5), needs=N_("hồ sơ được số hoá")),
    Indicator(
        "4.3", "4", N_("Hồ sơ tái sử dụng dữ liệu đã số hoá"), 4, Fraction(4, 5), needs=N_("hồ sơ tái sử dụng dữ liệu")
    ),
    Indicator(
        "4.4",
        "4",
        N_("Dữ liệu lấy từ kho dữ liệu cá nhân trên Cổng quốc gia"),
        3,
        missing=_NATIONAL,
    ),
    Indicator(
        "4.5", "4", N_("Tài khoản nộp hồ sơ xác thực bằng VNeID"), 3, missing=N_("Chưa ghi cách xác thực theo hồ sơ")
    ),
    Indicator("5.1", "5", N_("Phản ánh, kiến nghị được tiếp nhận, xử lý"), 5, needs=N_("phản ánh được xử lý")),
    Indicator("5.2", "5", N_("Phản ánh, kiến nghị được xử lý đúng hạn"), 5, needs=N_("phản ánh xử lý đúng hạn")),
    Indicator(
        "5.3", "5", N_("Hài lòng với việc xử lý phản ánh, kiến nghị"), 2, needs=N_("phản ánh được hài lòng, đúng hạn")
    ),
    Indicator(
        "5.4", "5", N_("Hài lòng về giải quyết thủ tục"), 6, Fraction(9, 10), needs=N_("hồ sơ đúng hạn, không bị chê")
    ),
)
HOUR_US = 3_600_000_000


def _fractions(c: dict, cat: Catalogue, fb: Feedback) -> dict[str, tuple[int, int]]:
    """Numerator and denominator of every indicator that has data."""
    completed = c["finished_early"] + c["finished_on_time"] + c["finished_late"]
    finished = completed + c["refused"] + c["withdrawn"] + c["stopped"]
    received = c["received_online"] + c["received_counter"] + c["received_assisted"] + c["received_post"]
    # 5.4: 100 % − (late share + share with complaints or dislikes); dislikes are ratings of 1–2 stars,
    # complaints the feedback items about a dossier or an officer naming a dossier.
    satisfied = max(completed - c["finished_late"] - c["ratings_low"] - fb.complaints, 0)
    return {
        # Open dossiers use the period's end (DOMAIN.md §8): those open at E in time count as on time, those
        # open late at E as late (openday; refused, withdrawn and stopped ones are not judged, as before).
        "2.1": (
            c["finished_early"] + c["finished_on_time"] + c.get("open_in_time", 0),
            completed + c.get("open_in_time", 0) + c.get("open_late", 0),
        ),
        # Promised hours over used hours: full points when the average stays within the promised time.
        "2.2": (round(c["time_allowed_us"] / HOUR_US), round(c["time_used_us"] / HOUR_US)),
        "3.1": (cat.online, cat.procedures),
        "3.2": (cat.online_with_dossiers, cat.online),
        # Dossiers filed online that count as online (an e-result where one is due) over every finished one;
        # the national sync rate factor is 1 until synchronisation exists (1.4 is data_missing).
        "3.3": (c["finished_online_ok"], finished),
        "3.5": (cat.fee_bearing_online, cat.fee_bearing),
        "3.6": (c["paid_online"], c["received_fee"]),
        "4.1": (c["e_result"], completed),
        "4.2": (c["digitised"], received),
        "4.3": (c["reused"], received),
        "5.1": (fb.processed, fb.received),
        "5.2": (fb.on_time, fb.processed),
        "5.3": (max(fb.received - fb.disliked - fb.overdue, 0), fb.received),
        "5.4": (satisfied, completed),
    }


def points(rate: Fraction, *, maximum: int, threshold: Fraction) -> float:
    """Full points at or above the threshold; below it, rate × max ÷ threshold (Decision 766)."""
    if rate >= threshold:
        return float(maximum)
    return round(float(rate * maximum / threshold), 2)


def _what_it_takes(ind: Indicator, numerator: int, denominator: int) -> str:
    if ind.key == "2.2":
        if numerator >= denominator:
            return _("Đã đạt điểm tối đa")
        return _("Cần rút ngắn tổng thời gian giải quyết thêm %(n)s giờ để đạt điểm tối đa") % {
            "n": denominator - numerator
        }
    need = max(math.ceil(ind.threshold * denominator - numerator), 0)
    if need == 0:
        return _("Đã đạt điểm tối đa")
    return _("Cần thêm %(n)s %(what)s (trên %(d)s) để đạt điểm tối đa") % {
        "n": need,
        "what": _(ind.needs),
        "d": denominator,
    }


def compute(counts: dict, catalogue: Catalogue, feedback: Feedback | None = None, *, texts: bool = True) -> dict:
    """{"total", "groups": [{"key","points","max"}], "indicators": [{"key","numerator","denominator","rate",
    "points","max","data_missing","label","what_it_takes"}]}. Rate: a float 0–1 rounded to 4 places (2.2 is
    capped at 1), None without a denominator; such an indicator scores 0 and says there was nothing to
    count. A data_missing indicator has no numbers and no points; the group and the total add the others.
    ``texts=False`` leaves "label" and "what_it_takes" empty (a ranking of a hundred units needs numbers only)."""
    fractions = _fractions(counts, catalogue, feedback or Feedback())
    indicators, group_points = [], dict.fromkeys([g for g, _m in GROUPS], 0.0)
    for ind in INDICATORS:
        row = {
            "key": ind.key,
            "numerator": None,
            "denominator": None,
            "rate": None,
            "points": None,
            "max": ind.max,
            "data_missing": bool(ind.missing),
            "label": _(ind.label) if texts else "",
            "what_it_takes": _(ind.missing) if ind.missing and texts else "",
        }
        if not ind.missing:
            numerator, denominator = fractions[ind.key]
            row.update(numerator=numerator, denominator=denominator)
            if ind.key == "2.2" and denominator <= 0 < numerator:
                # Time was allowed and none was used (handled before the receipt moment): full points.
                row.update(denominator=0, rate=1.0, points=float(ind.max))
                if texts:
                    row["what_it_takes"] = _("Đã đạt điểm tối đa")
            elif denominator:
                # A rate is a share: 0–1 even when odd data (a due date before the receipt) makes a sum negative.
                rate = min(max(Fraction(numerator, denominator), Fraction(0)), Fraction(1))
                row["rate"] = round(float(rate), 4)
                row["points"] = points(rate, maximum=ind.max, threshold=ind.threshold)
                if texts:
                    row["what_it_takes"] = _what_it_takes(ind, numerator, denominator)
            else:
                row["points"] = 0.0
                if texts:
                    row["what_it_takes"] = _("Chưa có hồ sơ hoặc thủ tục để tính trong kỳ")
            group_points[ind.group] += row["points"]
        indicators.append(row)
    groups = [{"key": key, "points": round(group_points[key], 2), "max": maximum} for key, maximum in GROUPS]
    return {"total": round(sum(g["points"] for g in groups), 2), "groups": groups, "indicators": indicators}
