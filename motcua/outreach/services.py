"""Writes for the community digital teams: member import, assistance records (idempotent by client_id,
safe to retry), the deduplicated register of people, the review of likely duplicates."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.accounts.identity import validate_citizen_id, validate_phone
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.inputs import clean_date, clean_for_column, fold, has_bad_characters, parse_date
from motcua.places.models import VILLAGE_LEVEL, AdministrativeUnit

from .models import Affiliation, AssistanceRecord, Member, Person, Team, TeamRole

logger = logging.getLogger(__name__)
SKILLS_FILE = Path(__file__).parent / "data" / "skills.json"


@lru_cache(maxsize=1)
def skills_config() -> dict:
    return json.loads(SKILLS_FILE.read_text(encoding="utf-8"))


def skill_labels() -> dict[str, str]:
    return skills_config()["skills"]


# --- members ------------------------------------------------------------------------------------------------
ROLE_WORDS = {"tổ trưởng": TeamRole.LEADER, "tổ phó": TeamRole.DEPUTY, "thành viên": TeamRole.MEMBER}
AFFILIATION_WORDS = {fold(label): value for value, label in Affiliation.choices} | {
    "doan thanh nien": Affiliation.YOUTH_UNION,
    "cong an": Affiliation.POLICE,
    "giao vien": Affiliation.TEACHER,
    "truong thon": Affiliation.VILLAGE_HEAD,
    "hoi": Affiliation.ASSOCIATION,
    "doanh nghiep": Affiliation.ENTERPRISE,
    "vien thong": Affiliation.ENTERPRISE,
    "can bo": Affiliation.OFFICER,
    "khac": Affiliation.OTHER,
}
COLUMNS = ["ho_ten", "dien_thoai", "vai_tro", "don_vi", "tham_gia_tu"]
MAX_IMPORT_ROWS = 5000
JOINED_FROM = dt.date(2020, 1, 1)  # the teams were founded in 2025; earlier is a typo


def _phone_cell(value) -> str:
    """A spreadsheet stores 0912000114 typed in a number cell as 912000114: put the 0 back."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        return "0" + text if len(text) == 9 else text
    return str(value or "")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _rows(filename: str, data: bytes) -> list[dict]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        header = [fold(str(c or "")).replace(" ", "_") for c in rows[0]] if rows else []
        return [dict(zip(header, r, strict=False)) for r in rows[1:]]
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = [fold(f).replace(" ", "_") for f in reader.fieldnames or []]
    return list(reader)


def members_import(*, team: Team, filename: str, data: bytes) -> ImportReport:
    """Import members from CSV or XLSX (columns ho_ten, dien_thoai, vai_tro, don_vi, tham_gia_tu).
    All-or-nothing: every bad row is reported with its line number and nothing is imported."""
    report = ImportReport()
    try:
        rows = _rows(filename, data)
    except Exception as exc:  # a corrupt spreadsheet: one clear message
        raise ValidationFailed(f"Không đọc được tệp {filename}: hãy lưu lại dạng CSV (UTF-8) hoặc XLSX") from exc
    if rows and not {"ho_ten", "dien_thoai"} <= set(rows[0]):
        raise ValidationFailed(f"Tệp cần các cột: {', '.join(COLUMNS)}")
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationFailed(f"Mỗi tệp tối đa {MAX_IMPORT_ROWS} dòng; hãy chia thành nhiều tệp")
    clean = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        problems = []
        try:
            name = clean_for_column(
                row.get("ho_ten"), Member, "full_name", required=True, min_length=2, person_name=True
            )
        except ValidationError as exc:
            name = ""
            problems.append("thiếu họ tên" if exc.code == "required" else f"họ tên: {exc.messages[0]}")
        try:
            phone = validate_phone(_phone_cell(row.get("dien_thoai")))
        except ValidationError as exc:
            phone = ""
            problems.append(f"số điện thoại: {exc.messages[0]}")
        if phone and phone in seen:
            problems.append(f"số điện thoại trùng với dòng {seen[phone]}")
        role_text = fold(str(row.get("vai_tro") or "thành viên")).strip()
        role = next((v for k, v in ROLE_WORDS.items() if fold(k) == role_text), None)
        if role is None:
            problems.append("vai trò phải là Tổ trưởng, Tổ phó hoặc Thành viên")
        affiliation = AFFILIATION_WORDS.get(fold(str(row.get("don_vi") or "khác")).strip(), None)
        if affiliation is None:
            problems.append(
                "đơn vị phải là Đoàn Thanh niên, Công an, Giáo viên, Trưởng thôn, Hội, Doanh nghiệp, Cán bộ hoặc Khác"
            )
        joined_raw = row.get("tham_gia_tu")
        joined = timezone.localdate()
        if isinstance(joined_raw, dt.datetime):
            joined = joined_raw.date()
        elif isinstance(joined_raw, dt.date):
            joined = joined_raw
        elif joined_raw:
            parsed = parse_date(joined_raw)
            if parsed is not None:
                joined = parsed
            else:
                problems.append("ngày tham gia phải có dạng ngày/tháng/năm, ví dụ 01/09/2026")
        if not JOINED_FROM <= joined <= timezone.localdate() + dt.timedelta(days=366):
            problems.append(f"ngày tham gia phải từ {JOINED_FROM:%d/%m/%Y} đến trong vòng một năm tới")
        if problems:
            report.errors.append(f"Dòng {line}: " + "; ".join(problems))
            continue
        seen[phone] = line
        clean.append((name, phone, role, affiliation, joined))
    if report.errors:
        raise ValidationFailed(f"Tệp có {len(report.errors)} dòng lỗi; chưa nhập gì.", fields={"rows": report.errors})
    with transaction.atomic():
        for name, phone, role, affiliation, joined in clean:
            _member, created = Member.objects.update_or_create(
                team=team,
                phone=phone,
                defaults={"full_name": name, "team_role": role, "affiliation": affiliation, "active_from": joined},
            )
            report.created += created
            report.updated += not created
    return report


# --- the register of people -----------------------------------------------------------------------------------
def _refresh_person(person: Person) -> None:
    skills = set()
    for record in person.records.all():
        skills.update(record.skills)
    for merged in Person.objects.filter(merged_into=person):
        for record in merged.records.all():
            skills.update(record.skills)
    skills.update(s for s in person.skills if s == "online_dossier")
    person.skills = sorted(skills)
    person.is_digital_citizen = set(skills_config()["digital_citizen"]) <= skills
    person.save(update_fields=["skills", "is_digital_citizen", "updated_at"])


def person_resolve(*, full_name: str, citizen_id: str, phone: str, village, village_text: str) -> Person:
    """The same person however and by whomever they were recorded: by citizen ID, else phone; with
    neither, a new entry — queued for review when someone of the same name lives in the same village."""
    if citizen_id:
        person = Person.objects.select_for_update().filter(citizen_id=citizen_id).first()
        if person:
            return person
    if phone:
        person = Person.objects.select_for_update().filter(phone=phone).first()
        if person:
            if citizen_id and not person.citizen_id:
                person.citizen_id = citizen_id
                person.save(update_fields=["citizen_id"])
            return person
    key = fold(full_name)
    candidate = None
    if not citizen_id and not phone:
        same = Person.objects.filter(name_key=key, merged_into__isnull=True)
        same = same.filter(village=village) if village else same.filter(village_text__iexact=village_text)
        candidate = same.first()
    return Person.objects.create(
        full_name=full_name,
        name_key=key,
        citizen_id=citizen_id or None,
        phone=phone or None,
        village=village,
        village_text=village_text,
        possible_duplicate_of=candidate,
        review_pending=candidate is not None,
    )


def person_review(*, person_id: int, same: bool) -> Person:
    """A reviewer decides a likely duplicate: the same person (merged) or a different one."""
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(pk=person_id, review_pending=True).first()
        if person is None:
            raise NotFound("Không còn mục này trong danh sách cần rà soát")
        target = person.possible_duplicate_of
        person.review_pending = False
        if same and target is not None:
            person.merged_into = target
            person.save(update_fields=["review_pending", "merged_into", "updated_at"])
            _refresh_person(target)
            return target
        person.possible_duplicate_of = None
        person.save(update_fields=["review_pending", "possible_duplicate_of", "updated_at"])
        return person


def dossier_submitted(*, dossier, now, fresh: bool) -> None:
    """Submission hook (dossiers.effects.register_on_submitted, inside the submission's transaction): a
    citizen on the teams' lists who files online (alone or helped) gains the skill "online_dossier"."""
    from motcua.dossiers.models import ONLINE_CHANNELS

    if dossier.channel in ONLINE_CHANNELS and dossier.applicant_citizen_id:
        person_gain_skill(citizen_id=dossier.applicant_citizen_id, skill="online_dossier", user=dossier.citizen)


def person_gain_skill(*, citizen_id: str, skill: str, user=None) -> Person | None:
    """The platform's own data: a citizen who submits an online dossier gains that skill. Locks: the
    person's row. Inside the caller's transaction when there is one (no savepoint: a failure here fails
    the caller's write anyway), else its own."""
    with transaction.atomic(savepoint=False):
        # citizen_id is unique: a slice, not first() (its ORDER BY costs CPU on every online submission).
        person = next(iter(Person.objects.select_for_update().filter(citizen_id=citizen_id)[:1]), None)
        if person is None:
            return None
        if skill not in person.skills:
            person.skills = sorted({*person.skills, skill})
        if user is not None and person.user_id is None:
            person.user = user
        person.is_digital_citizen = set(skills_config()["digital_citizen"]) <= set(person.skills)
        person.save()
        return person


# --- assistance records (offline-first, retried) --------------------------------------------------------------------
def _village(member: Member, value: str):
    """A village code within the team's area, else a free-text name flagged for review."""
    value = (value or "").strip()
    if len(value) > 32:  # longer than any unit code: a village name
        return None, value, True
    unit = AdministrativeUnit.objects.current().filter(code=value, unit_type__in=VILLAGE_LEVEL).first()
    if unit is not None and unit.path.startswith(member.team.unit.path):
        return unit, "", False
    return None, value, True


def _text(errors: dict, name: str, value, *, required: bool = False, message: str = "", **kwargs) -> str:
    """One field of a synced record through the input door; a problem is that record's error only."""
    try:
        return clean_for_column(value, AssistanceRecord, name, required=required, **kwargs)
    except ValidationError as exc:
        errors[name] = message if exc.code == "required" and message else exc.messages[0]
        return ""


def _validate(member: Member, item: dict) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    client_id = _text(errors, "client_id", item.get("client_id"), message="Thiếu mã bản ghi (client_id)")
    if "client_id" not in errors and not 8 <= len(client_id) <= 64:
        errors["client_id"] = "Mã bản ghi (client_id) phải dài từ 8 đến 64 ký tự"
    name = _text(
        errors,
        "full_name",
        item.get("full_name"),
        required=True,
        min_length=2,
        person_name=True,
        message="Nhập họ và tên người được hỗ trợ",
    )
    try:
        day = clean_date(
            item.get("date"),
            label="Ngày hỗ trợ",
            min_date=member.active_from - dt.timedelta(days=1),
            max_date=timezone.localdate() + dt.timedelta(days=1),
        )
    except ValidationError as exc:
        day = None
        errors["date"] = {
            "too_late": "Ngày hỗ trợ không được ở tương lai",
            "too_early": "Ngày hỗ trợ trước ngày bạn tham gia tổ",
        }.get(exc.code, "Ngày phải có dạng năm-tháng-ngày, ví dụ 2026-11-30")
    skills = item.get("skills") or []
    valid_list = isinstance(skills, list) and all(isinstance(s, str) for s in skills)
    unknown = [s for s in skills if s not in skill_labels()] if valid_list else ["?"]
    if not valid_list or not skills or unknown:
        shown = [s if isinstance(s, str) and not has_bad_characters(s) else "?" for s in unknown][:5]
        errors["skills"] = "Chọn ít nhất một kỹ năng trong danh sách" + (
            f" (không có: {', '.join(str(s)[:40] for s in shown)})" if unknown else ""
        )
    citizen_id, phone = "", ""
    if item.get("citizen_id") not in (None, ""):
        try:
            citizen_id = validate_citizen_id(_scalar(item.get("citizen_id")))
        except ValidationError as exc:
            errors["citizen_id"] = exc.messages[0]
    if item.get("phone") not in (None, ""):
        try:
            phone = validate_phone(_scalar(item.get("phone")))
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    consent = item.get("consent") is True
    if (citizen_id or phone) and not consent:
        errors["consent"] = "Cần người dân đồng ý thì mới ghi số định danh hoặc số điện thoại"
    village = _text(
        errors, "village_text", item.get("village"), required=True, message="Chọn thôn, bản hoặc nhập tên thôn"
    )
    if "village_text" in errors:
        errors["village"] = errors.pop("village_text")
    place = _text(errors, "place", item.get("place"))
    return {
        "client_id": client_id,
        "full_name": name,
        "date": day,
        "skills": sorted(set(skills)) if not unknown else [],
        "citizen_id": citizen_id,
        "phone": phone,
        "consent": consent,
        "village": village,
        "place": place,
    }, errors


def _scalar(value) -> str:
    """Identifiers arrive as strings or numbers; anything else is not an identifier."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return "?"
    return str(value)


def records_sync(*, member: Member, items: list) -> list[dict]:
    """Store a batch from the phone. Each record is judged and stored on its own (its own transaction,
    identified by its client_id, so a retried sync never duplicates anything) and gets its own outcome —
    ``created``, ``duplicate`` or ``rejected`` with the field and a reason — in the order sent (``index``).
    One bad record never fails the batch: the records after it are stored all the same."""
    results = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        try:
            outcome = _record_sync(member, item)
        except Exception:  # a fault of ours must not lose the other records; the phone keeps this one
            logger.exception("outreach record %s of a batch failed", index)
            outcome = {
                "client_id": None,
                "status": "rejected",
                "errors": {"record": "Máy chủ chưa lưu được bản ghi này; hãy gửi lại sau"},
            }
        results.append({"index": index, **outcome})
    return results


def _record_sync(member: Member, item) -> dict:
    if not isinstance(item, dict):
        return {"client_id": None, "status": "rejected", "errors": {"record": "Bản ghi phải là một đối tượng JSON"}}
    data, errors = _validate(member, item)
    client_id = data["client_id"]
    existing = AssistanceRecord.objects.filter(member=member, client_id=client_id).first() if client_id else None
    if existing is not None:
        return {"client_id": client_id, "status": "duplicate", "id": existing.pk}
    if errors:
        return {"client_id": client_id or None, "status": "rejected", "errors": errors}
    village, village_text, flagged = _village(member, data["village"])
    for attempt in range(2):
        try:
            with transaction.atomic():
                person = person_resolve(
                    full_name=data["full_name"],
                    citizen_id=data["citizen_id"],
                    phone=data["phone"],
                    village=village,
                    village_text=village_text,
                )
                record = AssistanceRecord.objects.create(
                    member=member,
                    client_id=client_id,
                    person=person,
                    full_name=data["full_name"],
                    village=village,
                    village_text=village_text,
                    village_flagged=flagged,
                    citizen_id=data["citizen_id"],
                    phone=data["phone"],
                    consent=data["consent"],
                    skills=data["skills"],
                    date=data["date"],
                    place=data["place"],
                )
                _refresh_person(person)
        except IntegrityError:
            existing = AssistanceRecord.objects.filter(member=member, client_id=client_id).first()
            if existing is not None:
                return {"client_id": client_id, "status": "duplicate", "id": existing.pk}
            if attempt == 0:
                continue  # another sync registered the same person a moment ago: resolve again
            raise
        return {"client_id": client_id, "status": "created", "id": record.pk, "village_flagged": flagged}
    raise AssertionError("unreachable")
