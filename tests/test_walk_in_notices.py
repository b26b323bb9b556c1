"""Issue 13, kind 8: a walk-in citizen's messages work without an account, and nothing is written for
an inbox that does not exist."""

import datetime as dt
import re

from motcua.dossiers.models import Channel
from motcua.dossiers.services import citizen_find_or_create, dossier_submit
from motcua.notifications.models import InAppMessage, OutboxMessage, SimulatedSms

MARITAL_FORM = {"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"}


def _walk_in(staff, django_capture_on_commit_callbacks):
    officer = staff["tiepnhan"]
    walk_in = citizen_find_or_create(
        officer=officer,
        citizen_id="001090012345",
        full_name="Nguyễn Văn An",
        birth_date=dt.date(1990, 1, 1),
        gender="male",
        phone="0987654321",
    )
    assert not walk_in.has_usable_password()
    with django_capture_on_commit_callbacks(execute=True):
        dossier, _ = dossier_submit(
            citizen=walk_in,
            procedure_code="1.004873",
            form=MARITAL_FORM,
            office_code="UBND-02839",
            channel=Channel.COUNTER,
            officer=officer,
        )
    return walk_in, dossier


def test_walk_in_sms_links_to_public_tracking_with_the_code(
    client, catalog, office_a, staff, django_capture_on_commit_callbacks
):
    _walk_in_user, dossier = _walk_in(staff, django_capture_on_commit_callbacks)
    sms = SimulatedSms.objects.get(phone="0987654321")
    assert dossier.code in sms.text
    link = re.search(r"https?://\S+", sms.text).group(0)
    assert "/tra-cuu?ma=" in link and "/ho-so/" not in link
    # The link opens without a login, with the code filled in; the phone from the counter finds the dossier.
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200
    assert f'value="{dossier.code}"' in page.content.decode()
    found = client.post("/tra-cuu", {"ma": dossier.code, "dien-thoai": "0987 654 321"})
    assert found.status_code == 200 and 'data-testid="status"' in found.content.decode()


def test_no_in_app_message_is_written_for_an_inbox_nobody_has(
    catalog, citizen, office_a, staff, django_capture_on_commit_callbacks
):
    walk_in_user, _dossier = _walk_in(staff, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_submit(citizen=citizen, procedure_code="1.004873", form=MARITAL_FORM, idempotency_key="k1")
    assert OutboxMessage.objects.filter(channel="sms").count() == 2
    # Only the citizen who can sign in has an inbox; the walk-in without a password gets none.
    assert list(InAppMessage.objects.values_list("user", flat=True)) == [citizen.pk]
    assert not InAppMessage.objects.filter(user=walk_in_user).exists()
    # A citizen with an account still gets a link to their own dossier page.
    mine = SimulatedSms.objects.get(phone="0912345001")
    assert "/ho-so/" in mine.text and "/tra-cuu" not in mine.text


def test_the_receipt_sms_carries_a_one_time_activation_link(
    client, catalog, office_a, staff, django_capture_on_commit_callbacks
):
    """Issue 16, point 5: the walk-in opens the link from the SMS and sets a password, once."""
    walk_in, dossier = _walk_in(staff, django_capture_on_commit_callbacks)
    sms = SimulatedSms.objects.get(phone="0987654321")
    links = re.findall(r"https?://\S+", sms.text)
    activation = next(link for link in links if "/kich-hoat/" in link)
    path = "/" + activation.split("://", 1)[1].split("/", 1)[1]
    assert client.get(path).status_code == 200
    done = client.post(path, {"password": "song-suoi-2026", "consent": "on"})
    assert done.status_code == 302
    walk_in.refresh_from_db()
    assert walk_in.check_password("song-suoi-2026")
    assert client.get("/ho-so").status_code == 200
    assert dossier.code in client.get("/ho-so").content.decode()
    client.logout()
    assert client.get(path).status_code == 404
