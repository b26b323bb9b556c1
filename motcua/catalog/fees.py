"""Fee computation from a procedure's fee rule (data, not code). Whole đồng, never floats.

A rule is one of:
- ``{"kind": "free"}``;
- ``{"kind": "flat", "amount" | "counter_amount" + "online_amount"}``: per case, or per copy when the
  dossier asks for several copies (``"unit": "bản"``);
- ``{"kind": "per_page", "tiers": [{"from_page", "to_page"?, "amount"}], "cap"?}``: tiered price per page,
  the cap applying to each copy (Circular 226/2016: 2.000 ₫/page, from page 3 1.000 ₫, at most 200.000 ₫);
- ``{"kind": "parts", "parts": [rule, …]}``: several fee lines, each its own rule with a ``key``.

Every rule may also carry ``category`` ("le_phi", the default, or "phi": different budget lines and
separate receipts, Law on Fees and Charges 2015 Art. 3), ``label``, ``exempt_for`` (exemption codes that
make it free: see EXEMPTIONS), ``on_time`` (``{"field": "ngay_sinh", "days": 60}``: registration on time
is the "on_time" exemption, late registration triggers the ``late_registration`` surcharges) and
``surcharges`` (``[{"code", "label", "amount"}]``, added when the code applies).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext

from motcua.core.money import format_vnd

ONLINE, COUNTER = "online", "counter"
LE_PHI, PHI = "le_phi", "phi"

# The grounds for not charging a civil-status fee (DOMAIN.md §7; Luật Hộ tịch 2014 Art. 11): poor
# households, people with disabilities, families of people with revolutionary merit, on-time birth and
# death registration. Near-poor households are exempt where a provincial council says so (data per rule).
EXEMPTIONS = {
    "poor_household": "Hộ nghèo",
    "near_poor_household": "Hộ cận nghèo",
    "disability": "Người khuyết tật",
    "revolutionary_merit": "Gia đình người có công với cách mạng",
    "on_time": "Đăng ký đúng hạn",
}
LATE_REGISTRATION = "late_registration"


class FeeRuleError(ValueError):
    pass


@dataclass(frozen=True)
class FeeLine:
    """One amount owed: ``key`` names the line within the procedure ("fee" for a single rule)."""

    key: str
    category: str
    label: str
    amount: int
    detail: str
    exemption: str = ""


@dataclass(frozen=True)
class FeeQuote:
    amount: int
    explanation: str
    lines: tuple[FeeLine, ...] = field(default_factory=tuple)

    def by_category(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for line in self.lines:
            totals[line.category] = totals.get(line.category, 0) + line.amount
        return totals


def _flat_amount(rule: dict, channel: str) -> int:
    key = "online_amount" if channel == ONLINE else "counter_amount"
    if key in rule:
        return int(rule[key])
    if "amount" in rule:
        return int(rule["amount"])
    raise FeeRuleError("flat fee without an amount")


def per_page_amount(rule: dict, pages: int) -> int:
    """One copy of `pages` pages under tiered per-page prices, capped per copy."""
    if pages < 1:
        raise FeeRuleError("số trang phải từ 1 trở lên")
    total = 0
    for page in range(1, pages + 1):
        tier = next(
            (
                t
                for t in sorted(rule["tiers"], key=lambda t: t["from_page"], reverse=True)
                if page >= t["from_page"] and ("to_page" not in t or page <= t["to_page"])
            ),
            None,
        )
        if tier is None:
            raise FeeRuleError(f"no tier covers page {page}")
        total += int(tier["amount"])
    cap = rule.get("cap")
    return min(total, int(cap)) if cap is not None else total


def registration_on_time(rule: dict, form: dict | None, on: dt.date) -> bool | None:
    """For a rule with ``on_time`` ({"field", "days"}): True when the event date in the form lies at most
    `days` days before `on` (Luật Hộ tịch 2014 Art. 15: 60 days for a birth; Art. 33: 15 for a death),
    False when later, None when the rule has no such condition or the form has no readable date."""
    condition = rule.get("on_time")
    if not condition or not form:
        return None
    value = form.get(condition["field"])
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        return None
    return (on - day).days <= int(condition["days"])


def _default_label(category: str) -> str:
    return "Phí" if category == PHI else "Lệ phí"


def _one_line(
    rule: dict, *, key: str, channel: str, pages: int, copies: int, exemptions: frozenset, late: bool
) -> FeeLine:
    kind = rule.get("kind")
    category = rule.get("category", LE_PHI)
    if category not in (LE_PHI, PHI):
        raise FeeRuleError(f"unknown fee category {category!r}")
    label = rule.get("label") or gettext(_default_label(category))
    granted = next((code for code in rule.get("exempt_for", []) if code in exemptions), "")
    if kind == "free":
        return FeeLine(key, category, label, 0, gettext("Miễn phí"))
    if granted:
        return FeeLine(
            key,
            category,
            label,
            0,
            gettext("Miễn theo diện: %(ground)s") % {"ground": gettext(EXEMPTIONS.get(granted, granted))},
            exemption=granted,
        )
    if kind == "flat":
        each = _flat_amount(rule, channel)
        total = each * copies
        detail = format_vnd(total) if copies == 1 else f"{copies} × {format_vnd(each)} = {format_vnd(total)}"
    elif kind == "per_page":
        each = per_page_amount(rule, pages)
        total = each * copies
        detail = f"{pages} trang × {copies} bản: {format_vnd(total)}"
    else:
        raise FeeRuleError(f"unknown fee kind {kind!r}")
    for surcharge in rule.get("surcharges", []):
        if late and surcharge["code"] == LATE_REGISTRATION:
            total += int(surcharge["amount"])
            detail += f" + {surcharge.get('label', 'phụ thu')}: {format_vnd(int(surcharge['amount']))}"
    return FeeLine(key, category, label, total, detail)


def fee_compute(
    rule: dict,
    *,
    channel: str = COUNTER,
    pages: int = 1,
    copies: int = 1,
    exempt: bool = False,
    exemptions: frozenset | set | tuple = frozenset(),
    form: dict | None = None,
    on: dt.date | None = None,
) -> FeeQuote:
    """The amount owed under `rule` and its lines. `channel` picks the online or counter price, `pages` and
    `copies` drive per-page and per-copy rules, `exemptions` are the codes the applicant qualifies for
    (EXEMPTIONS), `exempt=True` waives everything (an officer's decision). With `form` and `on` (the day of
    submission) a rule's ``on_time`` condition is checked. Raises FeeRuleError for a malformed rule or a
    page/copy count below one."""
    if copies < 1:
        raise FeeRuleError("số bản phải từ 1 trở lên")
    kind = rule.get("kind")
    parts = rule.get("parts") if kind == "parts" else [dict(rule, key=rule.get("key", "fee"))]
    if not parts:
        raise FeeRuleError("a 'parts' fee needs at least one part")
    lines = []
    for part in parts:
        granted = frozenset(exemptions)
        on_time = registration_on_time(part, form, on) if on else None
        if on_time:
            granted |= {"on_time"}
        lines.append(
            _one_line(
                part,
                key=part.get("key", "fee"),
                channel=channel,
                pages=pages,
                copies=copies,
                exemptions=granted,
                late=on_time is False,
            )
        )
    if len({line.key for line in lines}) != len(lines):
        raise FeeRuleError("fee parts need distinct keys")
    if exempt:
        lines = [
            FeeLine(li.key, li.category, li.label, 0, gettext("Miễn phí, lệ phí"), exemption="officer") for li in lines
        ]
    total = sum(line.amount for line in lines)
    if total == 0:
        return FeeQuote(0, gettext("Miễn phí, lệ phí"), tuple(lines))
    if len(lines) == 1:
        return FeeQuote(total, lines[0].detail, tuple(lines))
    text = "; ".join(f"{line.label}: {format_vnd(line.amount)}" for line in lines)
    return FeeQuote(total, f"{text} (tổng {format_vnd(total)})", tuple(lines))


def fee_summary(rule: dict) -> str:
    """A short line for guidance pages: 'Miễn phí', '10.000 ₫', '20.000 ₫ (trực tuyến 10.000 ₫)'."""
    kind = rule.get("kind")
    unit = f"/{rule['unit']}" if rule.get("unit") else ""
    if kind == "parts":
        return "; ".join(
            f"{part.get('label') or gettext(_default_label(part.get('category', LE_PHI)))}: {fee_summary(part)}"
            for part in rule.get("parts", [])
        )
    if kind == "free":
        return gettext("Miễn phí")
    if kind == "flat":
        counter, online = _flat_amount(rule, COUNTER), _flat_amount(rule, ONLINE)
        if counter == online:
            return format_vnd(counter) + unit
        online_text = gettext("miễn phí") if online == 0 else format_vnd(online) + unit
        return gettext("%(counter)s (nộp trực tuyến: %(online)s)") % {
            "counter": format_vnd(counter) + unit,
            "online": online_text,
        }
    if kind == "per_page":
        parts = []
        for tier in sorted(rule["tiers"], key=lambda t: t["from_page"]):
            if "to_page" in tier:
                span = gettext("trang %(a)s–%(b)s") % {"a": tier["from_page"], "b": tier["to_page"]}
            else:
                span = gettext("từ trang %(a)s") % {"a": tier["from_page"]}
            parts.append(
                gettext("%(span)s: %(amount)s/trang") % {"span": span, "amount": format_vnd(int(tier["amount"]))}
            )
        text = "; ".join(parts)
        if rule.get("cap") is not None:
            text += gettext("; tối đa %(cap)s") % {"cap": format_vnd(int(rule["cap"])) + unit}
        return text
    return ""
