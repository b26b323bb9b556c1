"""Fee computation from a procedure's fee rule (data, not code): free, flat (different online and counter
amounts allowed), or per page with tiers and a cap per copy. Whole đồng, never floats."""

from dataclasses import dataclass

from django.utils.translation import gettext

ONLINE, COUNTER = "online", "counter"


class FeeRuleError(ValueError):
    pass


@dataclass(frozen=True)
class FeeQuote:
    amount: int
    explanation: str


def format_vnd(amount: int) -> str:
    """1250000 → '1.250.000 ₫'."""
    return f"{amount:,}".replace(",", ".") + " ₫"


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


def fee_compute(
    rule: dict, *, channel: str = COUNTER, pages: int = 1, copies: int = 1, exempt: bool = False
) -> FeeQuote:
    kind = rule.get("kind")
    if exempt or kind == "free":
        return FeeQuote(0, "Miễn phí, lệ phí")
    if copies < 1:
        raise FeeRuleError("số bản phải từ 1 trở lên")
    if kind == "flat":
        each = _flat_amount(rule, channel)
        total = each * copies
        if copies == 1:
            return FeeQuote(total, format_vnd(total))
        return FeeQuote(total, f"{copies} × {format_vnd(each)} = {format_vnd(total)}")
    if kind == "per_page":
        each = per_page_amount(rule, pages)
        total = each * copies
        return FeeQuote(total, f"{pages} trang × {copies} bản: {format_vnd(total)}")
    raise FeeRuleError(f"unknown fee kind {kind!r}")


def fee_summary(rule: dict) -> str:
    """A short line for guidance pages: 'Miễn phí', '10.000 ₫', '20.000 ₫ (trực tuyến 10.000 ₫)'."""
    kind = rule.get("kind")
    unit = f"/{rule['unit']}" if rule.get("unit") else ""
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
