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
