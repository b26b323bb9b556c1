"""Issue 18, point 3 in Chromium at 360 px: the commune leader's page and the public page /cong-khai fit a
phone (no sideways scrolling), draw their SVG charts, and pass axe-core."""

import datetime as dt

import pytest
from django.utils import timezone

from ..factories import DossierFactory
from .conftest import PHONE, assert_accessible
from .test_journey_dossier import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def figures(catalog, office_a, staff, commune_b):
    from motcua.dossiers.models import Dossier, Rating

    late = DossierFactory(appraising=True, office=office_a)
    Dossier.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=3))
    done = DossierFactory(returned=True, office=office_a)
    Rating.objects.create(dossier=done, score=5, comment="Cán bộ hướng dẫn rất tận tình, không phải đi lại nhiều lần")
    return late


def test_the_leaders_page_fits_a_phone(browser, live_server, figures, commune_a):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="vi-VN", is_mobile=True)
    page = context.new_page()
    login(page, "lanhdao")
    page.goto("/can-bo/so-lieu")
    assert page.url.endswith(f"/can-bo/so-lieu/{commune_a.code}")
    assert page.get_by_test_id("today-overdue").inner_text() != ""
    assert page.get_by_test_id("officers").is_visible()
    assert page.locator("svg[role=img]").first.is_visible()
    assert "tận tình" in page.get_by_test_id("comments").inner_text()
    assert page.evaluate(FITS)
    assert_accessible(page)
    context.close()


def test_the_public_page_fits_a_phone(browser, live_server, figures, commune_a, commune_b):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="vi-VN", is_mobile=True)
    page = context.new_page()
    page.goto("/cong-khai")
    table = page.get_by_test_id("public-ranking")
    assert commune_a.name in table.inner_text() and commune_b.name in table.inner_text()
    assert page.locator("svg[role=img]").first.is_visible()
    assert page.evaluate(FITS)
    assert_accessible(page)
    page.get_by_role("link", name="Các con số được tính thế nào").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/cong-khai/cach-tinh")
    assert page.evaluate(FITS)
    context.close()
