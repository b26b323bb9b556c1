"""Test factories (factory_boy). Everything is built through the real services, so a factory-made dossier
has the events, counters, forms and attachments a real one has; nothing is written to a table directly.

    citizen = CitizenFactory(address_unit=village_a)
    officer = OfficerFactory(role=Role.SPECIALIST, unit=commune_a)
    dossier = DossierFactory(appraised=True, citizen=citizen, office=office_a)   # a trait per state
    dossier = DossierFactory(state="signed", office=office_a)                    # the same, by name

A dossier is walked to its state along the default workflow (``PATHS``) by the officers of its office's
unit: the first intake officer, specialist and leader granted there (the ``staff`` fixture's, when it ran),
or new ones made here. Dossiers need the shipped catalogue; ``catalog_ensure`` loads it when it is missing
(the session loads it once, see conftest.py).
"""

from __future__ import annotations

import datetime as dt

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import Role, RoleGrant, User
from motcua.accounts.services import citizen_create, role_grant
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Attachment, Dossier
from motcua.places.models import AdministrativeUnit, Office, UnitType
from motcua.places.services import unit_save

PASSWORD = "mat-khau-thu-2026"

# A valid e-form per shipped procedure the factories use; other procedures take ``form=...``.
FORMS = {
    "1.004873": {"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"},
    "1.001193": {
        "ho_ten_tre": "Hoàng Thị Lan",
        "ngay_sinh": "2026-11-20",
        "gioi_tinh": "Nữ",
        "noi_sinh": "Trạm Y tế xã Bắc Hà",
        "ho_ten_me": "Lò Thị Mai",
        "so_dinh_danh_me": "010190012345",
        "quan_he_nguoi_nop": "Mẹ",
    },
}

# The default workflow's way to each state, as (action, who, params); "who" is a role of the dossier's unit
# or "citizen". Notes go with the actions whose data file says ``note_required``.
_TO_APPRAISING = [("accept", Role.INTAKE_OFFICER, {}), ("assign", Role.INTAKE_OFFICER, {"assignee": Role.SPECIALIST})]
_TO_APPROVED = [
    *_TO_APPRAISING,
    ("appraise", Role.SPECIALIST, {"note": "Hồ sơ đủ điều kiện"}),
    ("approve", Role.LEADER, {}),
]
PATHS: dict[str, list[tuple[str, str, dict]]] = {
    "draft": [],
    "submitted": [],
    "received": [("accept", Role.INTAKE_OFFICER, {})],
    "supplement_requested": [
        ("accept", Role.INTAKE_OFFICER, {}),
        ("request_supplement", Role.INTAKE_OFFICER, {"note": "Bổ sung bản sao giấy chứng nhận"}),
    ],
    "appraising": _TO_APPRAISING,
    "appraised": [*_TO_APPRAISING, ("appraise", Role.SPECIALIST, {"note": "Hồ sơ đủ điều kiện"})],
    "approved": _TO_APPROVED,
    "signed": [*_TO_APPROVED, ("sign", Role.LEADER, {"confirm": True})],
    "returned": [
        *_TO_APPROVED,
        ("sign", Role.LEADER, {"confirm": True}),
        ("return_result", Role.INTAKE_OFFICER, {"method": "online"}),
    ],
    "refused": [("refuse", Role.INTAKE_OFFICER, {"note": "Không thuộc thẩm quyền giải quyết"})],
    "withdrawn": [("withdraw", "citizen", {})],
    "stopped": [("accept", Role.INTAKE_OFFICER, {}), ("stop", Role.LEADER, {"note": "Có tranh chấp"})],
}
STATES = tuple(PATHS)


def catalog_ensure() -> None:
    """Import the shipped catalogue unless it is already there (the session loads it once; a transactional
    test's flush removes it)."""
    from motcua.catalog.importer import SHIPPED_FILE, catalog_import

    if not Procedure.objects.filter(code="1.001193").exists():
        catalog_import(SHIPPED_FILE.read_text(encoding="utf-8"))


# --- places ------------------------------------------------------------------------------------------------
class UnitFactory(factory.Factory):
    """An administrative unit, saved through ``unit_save`` (materialised path). Default: a commune under a
    new province."""

    class Meta:
        model = AdministrativeUnit

    code = factory.Sequence(lambda n: f"9{n:04d}")
    name = factory.LazyAttribute(lambda o: f"Xã Thử Nghiệm {o.code}")
    unit_type = UnitType.COMMUNE
    parent = factory.LazyAttribute(
        lambda o: None if o.unit_type == UnitType.PROVINCE else UnitFactory(unit_type=UnitType.PROVINCE)
    )

    class Params:
        province = factory.Trait(unit_type=UnitType.PROVINCE, name=factory.LazyAttribute(lambda o: f"Tỉnh {o.code}"))

    @classmethod
    def _create(cls, model_class, **kwargs):
        return unit_save(unit=model_class(**kwargs))


class OfficeFactory(factory.django.DjangoModelFactory):
    """A one-stop office of a (new, by default) commune."""

    class Meta:
        model = Office

    unit = factory.SubFactory(UnitFactory)
    code = factory.LazyAttribute(lambda o: f"UBND-{o.unit.code}")
    agency_code = factory.LazyAttribute(lambda o: f"H15.{o.unit.code}")
    name = factory.LazyAttribute(lambda o: f"Bộ phận Một cửa UBND {o.unit.name}")
    phone = "0214 3880 123"


# --- people ------------------------------------------------------------------------------------------------
class CitizenFactory(factory.Factory):
    """A citizen account with a profile, through ``citizen_create`` (a woman born in 1990, so the citizen ID
    "010190nnnnnn" agrees with birth year and gender)."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"congdan-f{n}")
    full_name = "Lò Thị Mai"
    citizen_id = factory.Sequence(lambda n: f"010190{500000 + n:06d}")
    birth_date = dt.date(1990, 3, 12)
    gender = "female"
    phone = factory.Sequence(lambda n: f"0913{n:06d}")
    password = PASSWORD
    address_unit = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return citizen_create(**kwargs)


class OfficerFactory(factory.django.DjangoModelFactory):
    """A staff account with one role granted on a unit (``role=``, ``unit=``; a new commune by default)."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"canbo-f{n}")
    role = Role.INTAKE_OFFICER
    unit = factory.SubFactory(UnitFactory)
    full_name = factory.LazyAttribute(lambda o: o.username)

    @classmethod
    def _create(cls, model_class, *, role, unit, **kwargs):
        user = model_class.objects.create_user(password=PASSWORD, **kwargs)
        role_grant(user=user, role=role, unit=unit)
        return user


def unit_officer(unit: AdministrativeUnit, role: str) -> User:
    """The first officer holding ``role`` exactly on ``unit``, made when there is none."""
    grant = RoleGrant.objects.filter(unit=unit, role=role).select_related("user").order_by("pk").first()
    return grant.user if grant else OfficerFactory(role=role, unit=unit)


# --- catalogue and files -----------------------------------------------------------------------------------
class ProcedureFactory(factory.Factory):
    """A new procedure (new code, version 1) copied from a shipped one (``base``) with any field overridden,
    e.g. ``ProcedureFactory(time_amount=1, channels=["counter"])``. Its required documents are copied too."""

    class Meta:
        model = Procedure

    base = "1.004873"
    code = factory.Sequence(lambda n: f"9.{n:06d}")

    @classmethod
    def _create(cls, model_class, *, base, **overrides):
        from django.forms.models import model_to_dict

        from motcua.catalog.selectors import procedure_current

        catalog_ensure()
        source = procedure_current(code=base)
        fields = model_to_dict(source, exclude=["id", "field", "valid_to"])
        fields.update(field=source.field, valid_from=source.valid_from, **overrides)
        procedure = model_class.objects.create(**fields)
        for document in source.documents.all():
            document.pk = None
            document.procedure = procedure
            document.save()
        return procedure


class AttachmentFactory(factory.Factory):
    """An uploaded file, through ``attachment_upload`` (checked like a real upload): a one-page PDF unless
    ``content=``/``filename=`` say otherwise."""

    class Meta:
        model = Attachment

    owner = factory.SubFactory(CitizenFactory)
    document_name = "Giấy tờ kèm theo"
    filename = "giay-to.pdf"
    content = factory.LazyFunction(lambda: _pdf())

    @classmethod
    def _create(cls, model_class, *, owner, document_name, filename, content):
        from motcua.dossiers.services import attachment_upload

        return attachment_upload(owner=owner, upload=SimpleUploadedFile(filename, content), document_name=document_name)


def _pdf() -> bytes:
    from tests.conftest import PDF_BYTES

    return PDF_BYTES


# --- dossiers ----------------------------------------------------------------------------------------------
class DossierFactory(factory.Factory):
    """A dossier in any state of the default workflow, reached through ``dossier_submit`` and one
    ``dossier_transition`` per step (``PATHS``). Choose the state with a trait (``DossierFactory(signed=True)``)
    or ``state="signed"``. ``now`` (aware datetime) dates the submission and every step; ``channel="counter"``
    files it at the counter by the unit's intake officer. Signing makes the demo keys of the leader and the
    office first (cached key files, so it is cheap)."""

    class Meta:
        model = Dossier

    class Params:
        draft = factory.Trait(state="draft")
        submitted = factory.Trait(state="submitted")
        received = factory.Trait(state="received")
        supplement_requested = factory.Trait(state="supplement_requested")
        appraising = factory.Trait(state="appraising")
        appraised = factory.Trait(state="appraised")
        approved = factory.Trait(state="approved")
        signed = factory.Trait(state="signed")
        returned = factory.Trait(state="returned")
        refused = factory.Trait(state="refused")
        withdrawn = factory.Trait(state="withdrawn")
        stopped = factory.Trait(state="stopped")

    state = "submitted"
    office = None  # None: where the service sends the citizen (their commune's office; one is made if none)
    citizen = factory.SubFactory(CitizenFactory)
    procedure_code = "1.004873"
    form = factory.LazyAttribute(lambda o: dict(FORMS[o.procedure_code]))
    channel = "online"
    idempotency_key = None
    attachment_ids = None  # None: one small PDF for each document the procedure needs
    now = None

    @classmethod
    def _create(cls, model_class, *, state, office, citizen, procedure_code, form, channel, now, **kwargs):
        from motcua.dossiers.services import dossier_draft_save, dossier_submit, office_for_citizen

        if state not in PATHS:
            raise ValueError(f"no path to state {state!r}; one of {', '.join(STATES)}")
        catalog_ensure()
        if office is None and not Office.objects.filter(is_active=True).exists():
            office = OfficeFactory()
        if state == "draft":
            return dossier_draft_save(citizen=citizen, procedure_code=procedure_code, form=form)
        at_counter = channel == "counter"
        if kwargs["attachment_ids"] is None and not at_counter:
            kwargs["attachment_ids"] = documents_for(citizen, procedure_code, channel=channel) or None
        extra = {}
        if at_counter:
            from motcua.catalog.selectors import documents_needed, procedure_current

            procedure = procedure_current(code=procedure_code)
            needed = documents_needed(procedure, channel=channel)
            unit = (office or office_for_citizen(citizen, procedure)).unit
            officer = unit_officer(unit, Role.INTAKE_OFFICER)
            extra = {"officer": officer, "counter_documents": [d.name for d in needed]}
            kwargs.pop("attachment_ids")
        dossier, _created = dossier_submit(
            citizen=citizen,
            procedure_code=procedure_code,
            form=form,
            office_code=office.code if office else None,
            channel=channel,
            now=now,
            **kwargs,
            **extra,
        )
        return walk(dossier, PATHS[state], now=now)


def documents_for(owner: User, procedure_code: str, *, channel: str = "online") -> list[str]:
    """One small PDF upload for each document the procedure needs (ids, as a submission takes them)."""
    from motcua.catalog.selectors import documents_needed, procedure_current

    procedure = procedure_current(code=procedure_code)
    needed = documents_needed(procedure, channel=channel)
    return [str(AttachmentFactory(owner=owner, document_name=d.name).pk) for d in needed]


def walk(dossier: Dossier, steps, *, now: dt.datetime | None = None, actor_of=None) -> Dossier:
    """Apply workflow steps (action, role or "citizen", params) as the officers of the dossier's unit, each on
    the version it has then (with ``now``, step n happens n minutes after it). Params naming a role
    (``assignee``) become that officer's username. ``actor_of(who)``: pick people by another key instead
    (conftest's ``advance`` names the demo officers); then ``assignee`` is taken as such a key too and the
    note defaults to "Đồng ý"."""
    from django.db.models import Q

    from motcua.documents.models import SigningIdentity
    from motcua.documents.services import pki_demo_init
    from motcua.dossiers.services import dossier_transition

    for n, (action, who, params) in enumerate(steps, start=1):
        params = dict(params)
        note = params.pop("note", "Đồng ý" if actor_of else "")
        unit = dossier.unit

        def person(key, unit=unit):
            return actor_of(key) if actor_of else unit_officer(unit, key)

        actor = dossier.citizen if who == "citizen" else person(who)
        if "assignee" in params:
            params["assignee"] = person(params["assignee"]).username
        if action == "sign" and not SigningIdentity.objects.filter(Q(user=actor) | Q(office=dossier.office)).exists():
            pki_demo_init(usernames=[actor.username], offices=[dossier.office])  # keys only where none were ever made
        fresh = Dossier.objects.get(pk=dossier.pk)
        dossier = dossier_transition(
            code=fresh.code,
            action=action,
            actor=actor,
            version=fresh.version,
            note=note,
            params=params,
            now=now + dt.timedelta(minutes=n) if now else None,
        )
    return dossier
