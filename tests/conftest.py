import datetime as dt
import functools

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from django.utils import translation

from motcua.accounts.models import Role
from motcua.accounts.services import citizen_create, role_grant
from motcua.places.models import AdministrativeUnit, Office, UnitType
from motcua.places.services import unit_save

PASSWORD = "mat-khau-thu-2026"


@pytest.fixture(autouse=True, scope="session")
def _plain_static_storage(tmp_path_factory):
    """Tests do not run collectstatic; serve static files without the hashed manifest. Keys for the demo
    PKI are made once per session (in a temporary PKI_DIR) and re-registered per test."""
    from django.core.management import call_command

    call_command("compile_translations", verbosity=0)
    with override_settings(
        PKI_DIR=str(tmp_path_factory.mktemp("pki")),
        PKI_PASSPHRASE="test-pki",
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        # Tests create many accounts; a slow hash proves nothing here.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        WHITENOISE_USE_FINDERS=True,
        WHITENOISE_AUTOREFRESH=True,
    ):
        yield


@pytest.fixture(autouse=True, scope="session")
def _key_material_loaded_once():
    """Unlocking a PKCS#12 file or the encrypted root key costs 0.1–0.4 s of key derivation, and every test
    with officers registers the demo identities again (about 1 s a test). Within the session the files
    never change, so each (file bytes, passphrase) is unlocked once; a wrong passphrase still raises."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    originals = (pkcs12.load_key_and_certificates, serialization.load_pem_private_key)
    pkcs12.load_key_and_certificates = functools.lru_cache(maxsize=256)(originals[0])
    serialization.load_pem_private_key = functools.lru_cache(maxsize=16)(originals[1])
    yield
    pkcs12.load_key_and_certificates, serialization.load_pem_private_key = originals


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The shipped catalogue is imported once into the test database, and its search indexes built once.
    Tests run in a transaction that is rolled back, so it stays as shipped; a transactional test's flush
    removes it and the ``catalog`` fixture imports it again (pytest-django runs those tests last)."""
    from motcua.catalog import search

    from .factories import catalog_ensure

    with django_db_blocker.unblock():
        catalog_ensure()
        search.search_index_invalidate()
        search.search_indexes()
        _PRISTINE_SEARCH.update(search._state)


_PRISTINE_SEARCH: dict = {}


def _search_indexes_reset() -> None:
    """Back to the indexes of the shipped catalogue, checked against the database at the first search (a
    test that changed the catalogue gets them rebuilt; one that changed it and rolled back leaves no trace)."""
    from motcua.catalog import search

    with search._lock:
        if _PRISTINE_SEARCH:
            search._state.update(_PRISTINE_SEARCH, checked=0.0)
        else:
            search._state.update(index=None, checked=0.0)


@pytest.fixture(autouse=True)
def _vietnamese_by_default():
    """Each test starts and ends in Vietnamese: a page requested in English leaves English active in the
    thread, which would otherwise leak into the next test."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


def make_unit(code: str, name: str, unit_type: str, parent: AdministrativeUnit | None = None) -> AdministrativeUnit:
    return unit_save(unit=AdministrativeUnit(code=code, name=name, unit_type=unit_type, parent=parent))


@pytest.fixture
def province(db):
    return make_unit("15", "Tỉnh Lào Cai", UnitType.PROVINCE)


@pytest.fixture
def commune_a(province):
    return make_unit("02839", "Xã Bắc Hà", UnitType.COMMUNE, province)


@pytest.fixture
def commune_b(province):
    return make_unit("03037", "Xã Tả Van", UnitType.COMMUNE, province)


@pytest.fixture
def village_a(commune_a):
    return make_unit("02839-01", "Thôn Na Hối", UnitType.VILLAGE, commune_a)


@pytest.fixture
def office_a(commune_a):
    return Office.objects.create(
        unit=commune_a,
        code="UBND-02839",
        agency_code="H15.02839",
        name="Bộ phận Một cửa UBND xã Bắc Hà",
        phone="0214 3880 123",
        hotline="0912 000 101",
    )


@pytest.fixture
def citizen(village_a):
    return citizen_create(
        username="congdan1",
        full_name="Lò Thị Mai",
        citizen_id="010190012345",
        birth_date=dt.date(1990, 3, 12),
        gender="female",
        phone="0912345001",
        password=PASSWORD,
        address_unit=village_a,
    )


@pytest.fixture
def make_officer(db, django_user_model):
    def _make(username: str, role: str, unit: AdministrativeUnit, **extra):
        user = django_user_model.objects.create_user(username=username, password=PASSWORD, full_name=username, **extra)
        role_grant(user=user, role=role, unit=unit)
        return user

    return _make


@pytest.fixture
def intake_a(make_officer, commune_a):
    return make_officer("tiepnhan", Role.INTAKE_OFFICER, commune_a)


@pytest.fixture
def catalog(db):
    """The shipped catalogue, imported as an administrator would (once per session: see django_db_setup;
    again after a transactional test's flush)."""
    from .factories import catalog_ensure

    catalog_ensure()
    _search_indexes_reset()
    yield
    _search_indexes_reset()


@pytest.fixture
def empty_catalog(db):
    """No procedures at all, for tests of the import itself (the session's catalogue is removed inside the
    test's transaction and comes back with the rollback)."""
    from motcua.catalog.models import Field, Procedure, RequiredDocument

    RequiredDocument.objects.all().delete()
    Procedure.objects.all().delete()
    Field.objects.all().delete()
    _search_indexes_reset()
    yield
    _search_indexes_reset()


@pytest.fixture
def staff(make_officer, commune_a, commune_b, settings):
    """The demo's officers: intake, specialist and leader of commune A, intake of commune B."""
    settings.OFFICER_TOTP_REQUIRED = False
    people = {
        "tiepnhan": make_officer("tiepnhan", Role.INTAKE_OFFICER, commune_a),
        "chuyenvien": make_officer("chuyenvien", Role.SPECIALIST, commune_a),
        "lanhdao": make_officer("lanhdao", Role.LEADER, commune_a),
        "tiepnhan2": make_officer("tiepnhan2", Role.INTAKE_OFFICER, commune_b),
    }
    from motcua.documents.services import pki_demo_init

    pki_demo_init(usernames=list(people), offices=list(Office.objects.all()))
    return people


@pytest.fixture
def office_b(commune_b):
    return Office.objects.create(
        unit=commune_b, code="UBND-03037", agency_code="H15.03037", name="Bộ phận Một cửa UBND xã Tả Van"
    )


BIRTH_FORM = {
    "ho_ten_tre": "Hoàng Thị Lan",
    "ngay_sinh": "2026-11-20",
    "gioi_tinh": "Nữ",
    "noi_sinh": "Trạm Y tế xã Bắc Hà",
    "ho_ten_me": "Lò Thị Mai",
    "so_dinh_danh_me": "010190012345",
    "quan_he_nguoi_nop": "Mẹ",
}


def _real_pdf(pages: int = 1) -> bytes:
    """A small but real PDF (uploads are parsed at receipt, so test files must be real ones)."""
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    for n in range(pages):
        page.drawString(72, 720, f"Trang {n + 1}")
        page.showPage()
    page.save()
    return buffer.getvalue()


def _real_image(kind: str = "PNG", size=(40, 30)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


PDF_BYTES = _real_pdf()
PNG_BYTES = _real_image("PNG")
JPEG_BYTES = _real_image("JPEG")


@pytest.fixture
def api_token(db):
    from motcua.accounts.services import api_token_issue

    def issue(user):
        return api_token_issue(user=user)[0]

    return issue


# The default workflow from receipt to the returned result, as (action, officer, params).
FULL_FLOW = [
    ("accept", "tiepnhan", {}),
    ("assign", "tiepnhan", {"assignee": "chuyenvien"}),
    ("appraise", "chuyenvien", {}),
    ("approve", "lanhdao", {}),
    ("sign", "lanhdao", {"confirm": True}),
    ("return_result", "tiepnhan", {"method": "online"}),
]


def advance(dossier, staff, steps=FULL_FLOW):
    """Walk a dossier through workflow steps as the named demo officers (``staff``), each on the current
    version: the factories' walk with people chosen by name rather than by role."""
    from .factories import walk

    return walk(dossier, steps, actor_of=lambda who: staff[who])


def documents_for(owner, procedure_code: str = "1.001193", channel: str = "online") -> list[str]:
    """Upload one small PDF for each document the procedure needs, as a citizen attaches them."""
    from .factories import documents_for as factory_documents_for

    return factory_documents_for(owner, procedure_code, channel=channel)


# --- payments (tests/test_payments*.py) ------------------------------------------------------------------------
MARITAL_FORM = {"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"}


@pytest.fixture
def payment_settings(settings):
    settings.PAYMENT_BANK_SECRET = "motcua-demo-bank-secret"
    settings.PAYMENT_GATEWAY_SECRET = "motcua-demo-gateway-secret"
    settings.PAYMENT_NATIONAL_SECRET = "motcua-demo-national-secret"
    settings.PAYMENT_SIMULATORS = True
    return settings


@pytest.fixture
def bank_account(office_a):
    from motcua.payments.models import PaymentAccount

    return PaymentAccount.objects.create(
        office=office_a,
        bank_bin="970415",
        bank_name="VietinBank (mô phỏng)",
        account_number="113000028390",
        account_name="UBND XA BAC HA",
    )


@pytest.fixture
def fee_dossier(catalog, citizen, office_a, bank_account, payment_settings):
    """A marital-status certificate request: 10.000 ₫ lệ phí (DOMAIN.md §7, provincial rate)."""
    from motcua.dossiers.services import dossier_submit

    dossier, _ = dossier_submit(
        citizen=citizen, procedure_code="1.004873", form=MARITAL_FORM, idempotency_key="fee-dossier"
    )
    return dossier
