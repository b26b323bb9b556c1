import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.catalog.fees import COUNTER, ONLINE, fee_compute, fee_summary, format_vnd, per_page_amount

CERTIFIED_COPY = {
    "kind": "per_page",
    "tiers": [{"from_page": 1, "to_page": 2, "amount": 2000}, {"from_page": 3, "amount": 1000}],
    "cap": 200000,
}


@pytest.mark.parametrize(
    ("pages", "amount"), [(1, 2000), (2, 4000), (3, 5000), (10, 12000), (198, 200000), (199, 200000), (500, 200000)]
)
def test_certified_copy_per_page(pages, amount):
    # DOMAIN.md §7: 2,000 ₫ a page, from page 3 1,000 ₫, at most 200,000 ₫ per copy.
    assert per_page_amount(CERTIFIED_COPY, pages) == amount


def test_copies_multiply_after_the_cap():
    assert fee_compute(CERTIFIED_COPY, pages=300, copies=2).amount == 400000


@given(pages=st.integers(min_value=1, max_value=2000))
def test_per_page_is_monotonic_and_capped(pages):
    here, nxt = per_page_amount(CERTIFIED_COPY, pages), per_page_amount(CERTIFIED_COPY, pages + 1)
    assert 0 < here <= nxt <= 200000
    assert isinstance(here, int)


def test_flat_online_and_counter():
    rule = {"kind": "flat", "counter_amount": 20000, "online_amount": 10000}
    assert fee_compute(rule, channel=COUNTER).amount == 20000
    assert fee_compute(rule, channel=ONLINE).amount == 10000
    assert fee_summary(rule) == "20.000 ₫ (nộp trực tuyến: 10.000 ₫)"


def test_free_and_exempt():
    assert fee_compute({"kind": "free"}).amount == 0
    assert fee_compute({"kind": "flat", "amount": 10000}, exempt=True).amount == 0


def test_money_format():
    assert format_vnd(1250000) == "1.250.000 ₫"
    assert format_vnd(0) == "0 ₫"
    assert fee_summary(CERTIFIED_COPY) == "trang 1–2: 2.000 ₫/trang; từ trang 3: 1.000 ₫/trang; tối đa 200.000 ₫"


# --- issue 17: lines, phí vs lệ phí, exemptions, on-time registration, surcharges ---------------------------
SIGNATURE = {"kind": "flat", "amount": 10000, "category": "phi", "label": "Phí chứng thực", "unit": "trường hợp"}
MARITAL = {
    "kind": "flat",
    "amount": 10000,
    "exempt_for": ["poor_household", "disability", "revolutionary_merit"],
}
LATE_BIRTH = {
    "kind": "flat",
    "amount": 8000,
    "exempt_for": ["on_time", "poor_household", "disability", "revolutionary_merit"],
    "on_time": {"field": "ngay_sinh", "days": 60},
}


def test_signature_certification_is_a_phi_per_case():
    # DOMAIN.md §7: 10,000 ₫ per case (Decree 23/2015 Art. 24) — a phí, receipted apart from lệ phí.
    quote = fee_compute(SIGNATURE, copies=3)
    assert quote.amount == 30000
    (line,) = quote.lines
    assert (line.category, line.label, line.amount) == ("phi", "Phí chứng thực", 30000)
    assert quote.by_category() == {"phi": 30000}


@pytest.mark.parametrize("ground", ["poor_household", "disability", "revolutionary_merit"])
def test_exemption_grounds_waive_the_fee(ground):
    quote = fee_compute(MARITAL, exemptions={ground})
    assert quote.amount == 0 and quote.lines[0].exemption == ground
    assert "Miễn theo diện" in quote.lines[0].detail


def test_a_ground_the_rule_does_not_list_waives_nothing():
    assert fee_compute(MARITAL, exemptions={"near_poor_household"}).amount == 10000


@pytest.mark.parametrize(("born", "amount"), [("2026-10-01", 0), ("2026-10-02", 0), ("2026-09-30", 8000)])
def test_birth_registered_within_60_days_is_free(born, amount):
    # Luật Hộ tịch 2014 Art. 15–16: on-time birth registration is free; 30/11/2026 − 60 days = 01/10/2026.
    quote = fee_compute(LATE_BIRTH, form={"ngay_sinh": born}, on=dt.date(2026, 11, 30))
    assert quote.amount == amount


def test_late_registration_surcharge():
    rule = {**LATE_BIRTH, "surcharges": [{"code": "late_registration", "label": "Đăng ký quá hạn", "amount": 2000}]}
    late = fee_compute(rule, form={"ngay_sinh": "2026-01-01"}, on=dt.date(2026, 11, 30))
    assert late.amount == 10000 and "Đăng ký quá hạn" in late.explanation
    on_time = fee_compute(rule, form={"ngay_sinh": "2026-11-20"}, on=dt.date(2026, 11, 30))
    assert on_time.amount == 0


def test_parts_keep_phi_and_le_phi_apart():
    rule = {
        "kind": "parts",
        "parts": [
            {"key": "le_phi", "kind": "flat", "counter_amount": 20000, "online_amount": 10000},
            {"key": "phi_sao", "kind": "per_page", "category": "phi", "label": "Phí sao y", **CERTIFIED_COPY},
        ],
    }
    quote = fee_compute(rule, channel=ONLINE, pages=3)
    assert [(li.key, li.category, li.amount) for li in quote.lines] == [
        ("le_phi", "le_phi", 10000),
        ("phi_sao", "phi", 5000),
    ]
    assert quote.amount == 15000 and quote.by_category() == {"le_phi": 10000, "phi": 5000}
    assert "Phí sao y: 5.000 ₫" in quote.explanation
    assert fee_summary(rule).startswith("Lệ phí: 20.000 ₫ (nộp trực tuyến: 10.000 ₫); Phí sao y: trang 1–2")


def test_certified_copy_many_copies_each_capped():
    quote = fee_compute(CERTIFIED_COPY | {"category": "phi"}, pages=250, copies=3)
    assert quote.amount == 600000 and quote.lines[0].category == "phi"


def test_shipped_rules_match_domain_amounts(catalog):
    from motcua.catalog.models import Procedure

    def rule(code):
        return Procedure.objects.filter(code=code).order_by("-version").first().fee

    assert fee_compute(rule("2.000815"), pages=3).lines[0].category == "phi"
    assert fee_compute(rule("2.000884")).amount == 10000
    assert fee_compute(rule("1.004222"), channel=COUNTER).amount == 20000
    assert fee_compute(rule("1.004222"), channel=ONLINE).amount == 10000
    assert fee_compute(rule("1.004873"), exemptions={"poor_household"}).amount == 0
    assert fee_compute(rule("1.001193")).amount == 0
