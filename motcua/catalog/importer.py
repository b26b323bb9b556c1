"""Catalogue import and export (the versioned data file in `catalog/data/procedures.json`).

Import is all-or-nothing: the whole file is checked first and every problem is reported with its line and
field; only a clean file is written, in one transaction. A procedure whose content changed gets a new
version; the old version is closed, so dossiers filed under it keep it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
from django.db import transaction
from django.utils import timezone

from motcua.core.inputs import bad_character, column_max_length, describe_character, nfc

from .models import Field, Procedure, RequiredDocument

DATA_DIR = Path(__file__).parent / "data"
SHIPPED_FILE = DATA_DIR / "procedures.json"
SCHEMA = json.loads((DATA_DIR / "catalog.schema.json").read_text(encoding="utf-8"))


@dataclass
class Problem:
    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        line = f"dòng {self.line}" if self.line else "tệp"
        return f"{line}, {self.where}: {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    new_versions: int = 0
    unchanged: int = 0
    fields: int = 0
    problems: list[Problem] = field(default_factory=list)


class CatalogImportError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} lỗi")
        self.problems = problems


def _code_lines(text: str) -> list[int]:
    """Line numbers where each procedure's "code" key stands, in file order."""
    return [i for i, line in enumerate(text.splitlines(), 1) if re.match(r'\s*"code"\s*:', line)]


def _json_path(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(gốc)"


def _translate(error: jsonschema.ValidationError) -> str:
    kind = error.validator
    if kind == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return f"thiếu trường bắt buộc {', '.join(missing) or error.message}"
    if kind == "additionalProperties":
        return f"có trường không được phép: {error.message.split('(')[-1].rstrip(')')}"
    if kind == "enum":
        return f"giá trị {error.instance!r} không thuộc danh sách cho phép {error.validator_value}"
    if kind == "pattern":
        return f"giá trị {error.instance!r} sai định dạng (mẫu {error.validator_value})"
    if kind == "type":
        return f"phải có kiểu {error.validator_value}, đang là {type(error.instance).__name__}"
    if kind in ("minLength", "minItems"):
        return "quá ngắn hoặc để trống"
    if kind in ("minimum", "exclusiveMinimum"):
        return f"phải lớn hơn {'hoặc bằng ' if kind == 'minimum' else ''}{error.validator_value}"
    if kind == "const":
        return f"phải là {error.validator_value!r}"
    return error.message


def catalog_check(text: str) -> tuple[dict | None, list[Problem]]:
    """Parse and check a catalogue file; returns the data and every problem found."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [Problem(exc.lineno, f"cột {exc.colno}", f"tệp JSON hỏng: {exc.msg}")]
    except RecursionError:
        return None, [Problem(None, "cấu trúc", "tệp JSON lồng nhau quá sâu")]
    lines = _code_lines(text)
    problems: list[Problem] = []

    def line_of(path) -> int | None:
        parts = list(path)
        if len(parts) >= 2 and parts[0] == "procedures" and isinstance(parts[1], int) and parts[1] < len(lines):
            return lines[parts[1]]
        return None

    def where(path) -> str:
        parts = list(path)
        if len(parts) >= 2 and parts[0] == "procedures" and isinstance(parts[1], int):
            procs = data.get("procedures") or []
            code = (
                procs[parts[1]].get("code", "?") if parts[1] < len(procs) and isinstance(procs[parts[1]], dict) else "?"
            )
            rest = _json_path(parts[2:])
            return f"thủ tục {code}, trường {rest}" if parts[2:] else f"thủ tục {code}"
        return f"trường {_json_path(parts)}"

    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        problems.append(Problem(line_of(error.absolute_path), where(error.absolute_path), _translate(error)))
    if not isinstance(data, dict) or (problems and not isinstance(data.get("procedures"), list)):
        return data, problems

    slugs = {f.get("slug") for f in data.get("fields", []) if isinstance(f, dict)}
    forms = data.get("forms") or {}
    for name, form in forms.items():
        if isinstance(form, dict) and isinstance(form.get("schema"), dict):
            try:
                jsonschema.Draft202012Validator.check_schema(form["schema"])
            except jsonschema.SchemaError as exc:
                problems.append(Problem(None, f"biểu mẫu {name}", f"JSON Schema không hợp lệ: {exc.message}"))
    codes: dict[str, int] = {}
    for index, proc in enumerate(data["procedures"]):
        if not isinstance(proc, dict):
            continue
        path = ["procedures", index]
        code = proc.get("code")
        if code in codes:
            problems.append(Problem(line_of(path), where(path), f"mã thủ tục trùng với mục thứ {codes[code] + 1}"))
        codes.setdefault(code, index)
        if proc.get("field") not in slugs:
            problems.append(
                Problem(line_of(path), where([*path, "field"]), f"lĩnh vực {proc.get('field')!r} chưa khai báo")
            )
        if proc.get("form") not in forms:
            problems.append(
                Problem(line_of(path), where([*path, "form"]), f"biểu mẫu {proc.get('form')!r} chưa khai báo")
            )
        time = proc.get("time") or {}
        if time.get("kind") in ("working_days", "working_hours") and "amount" not in time:
            problems.append(Problem(line_of(path), where([*path, "time"]), "cần số ngày hoặc số giờ (amount)"))
        fee = proc.get("fee") or {}
        if fee.get("kind") == "flat" and not ({"amount", "counter_amount", "online_amount"} & set(fee)):
            problems.append(Problem(line_of(path), where([*path, "fee"]), "lệ phí cố định cần số tiền (amount)"))
        if fee.get("kind") == "per_page" and not fee.get("tiers"):
            problems.append(Problem(line_of(path), where([*path, "fee"]), "lệ phí theo trang cần bảng giá (tiers)"))
    problems.extend(_input_problems(data, line_of, where))
    if any(p.message.startswith("có ký tự") for p in problems):
        return data, problems  # a NUL cannot even be compared with the database
    known = set(codes) | set(Procedure.objects.current().values_list("code", flat=True))
    for index, proc in enumerate(data["procedures"]):
        if isinstance(proc, dict):
            for linked in proc.get("linked", []):
                if linked not in known:
                    path = ["procedures", index, "linked"]
                    problems.append(
                        Problem(line_of(path), where(path), f"thủ tục liên quan {linked} không có trong danh mục")
                    )
    return data, problems


# Where each imported value is stored, so its length is checked against that column (motcua.core.inputs),
# and the documented ranges of the numbers.
_PROCEDURE_COLUMNS = {
    "code": "code",
    "name": "name",
    "citizen_name": "citizen_name",
    "level": "level",
    "agency": "agency",
    "result": "result",
    "result_doc_type": "result_doc_type",
    "form": "form_key",
    "workflow": "workflow",
}
_DOCUMENT_COLUMNS = ("name", "kind", "template", "store_doc_type", "national_db", "note")
_NUMBER_RANGES = {"popularity": (0, 2**31 - 1), "count": (0, 32767), "order": (0, 32767)}
_TIME_AMOUNT_MAX = 365 * 8


def _walk_strings(node, path):
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield path, str(key)
            yield from _walk_strings(value, [*path, key])
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk_strings(value, [*path, index])


def _input_problems(data: dict, line_of, where) -> list[Problem]:
    """What the JSON Schema cannot say: characters nobody can store (NUL, controls), text longer than its
    column (the same rule on SQLite and PostgreSQL), numbers outside their range."""
    problems = []
    for path, text in _walk_strings(data, []):
        ch = bad_character(text, multiline=True)
        if ch is not None:
            problems.append(
                Problem(line_of(path), where(path), f"có ký tự không hiển thị được ({describe_character(ch)}); hãy xoá")
            )
    if problems:
        return problems
    for index, item in enumerate(data.get("fields") or []):
        if isinstance(item, dict):
            for key in ("slug", "name"):
                limit = column_max_length(Field, key)
                if isinstance(item.get(key), str) and len(nfc(item[key])) > limit:
                    problems.append(Problem(None, f"lĩnh vực thứ {index + 1}, trường {key}", f"dài quá {limit} ký tự"))
    for index, proc in enumerate(data.get("procedures") or []):
        if not isinstance(proc, dict):
            continue
        path = ["procedures", index]
        for key, column in _PROCEDURE_COLUMNS.items():
            limit = column_max_length(Procedure, column)
            if isinstance(proc.get(key), str) and len(nfc(proc[key])) > limit:
                problems.append(Problem(line_of(path), where([*path, key]), f"dài quá {limit} ký tự"))
        low, high = _NUMBER_RANGES["popularity"]
        if isinstance(proc.get("popularity"), int) and not low <= proc["popularity"] <= high:
            problems.append(Problem(line_of(path), where([*path, "popularity"]), f"phải từ {low} đến {high}"))
        amount = (proc.get("time") or {}).get("amount") if isinstance(proc.get("time"), dict) else None
        if isinstance(amount, (int, float)) and not 0 < amount <= _TIME_AMOUNT_MAX:
            problems.append(
                Problem(line_of(path), where([*path, "time", "amount"]), f"phải lớn hơn 0 và tối đa {_TIME_AMOUNT_MAX}")
            )
        for doc_index, doc in enumerate(proc.get("documents") or []):
            if not isinstance(doc, dict):
                continue
            doc_path = [*path, "documents", doc_index]
            for key in _DOCUMENT_COLUMNS:
                limit = column_max_length(RequiredDocument, key)
                if isinstance(doc.get(key), str) and len(nfc(doc[key])) > limit:
                    problems.append(Problem(line_of(path), where([*doc_path, key]), f"dài quá {limit} ký tự"))
            low, high = _NUMBER_RANGES["count"]
            if isinstance(doc.get("count"), int) and not low <= doc["count"] <= high:
                problems.append(Problem(line_of(path), where([*doc_path, "count"]), f"phải từ {low} đến {high}"))
    return problems


def _nfc_all(node):
    """Every imported text in NFC (a file saved by another editor may hold NFD)."""
    if isinstance(node, str):
        return nfc(node)
    if isinstance(node, dict):
        return {nfc(str(k)): _nfc_all(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_nfc_all(v) for v in node]
    return node


_DOCUMENT_DEFAULTS = {"count": 1, "required": True, "template": "", "store_doc_type": "", "national_db": "", "note": ""}


def _procedure_payload(proc: dict, forms: dict) -> dict:
    form = forms[proc["form"]]
    time = proc["time"]
    payload = {
        "name": proc["name"],
        "citizen_name": proc.get("citizen_name", ""),
        "aliases": proc.get("aliases", []),
        "level": proc["level"],
        "agency": proc["agency"],
        "online_level": proc["online_level"],
        "channels": proc["channels"],
        "who": proc.get("who", ""),
        "steps": proc["steps"],
        "time_kind": time["kind"],
        "time_amount": str(time.get("amount", 0)),
        "time_note": time.get("note", ""),
        "fee": proc["fee"],
        "legal_basis": proc["legal_basis"],
        "result": proc["result"],
        "result_doc_type": proc.get("result_doc_type", ""),
        "form_key": proc["form"],
        "form_schema": form["schema"],
        "form_ui": form.get("ui", {}),
        "workflow": proc.get("workflow", "default"),
        # Only when given, so procedures without their own shares keep their content hash.
        **({"step_shares": proc["step_shares"]} if proc.get("step_shares") else {}),
        "linked_codes": proc.get("linked", []),
        "popularity": proc.get("popularity", 0),
        "unconfirmed": proc.get("unconfirmed", []),
        "sources": proc.get("sources", []),
        "documents": [{**_DOCUMENT_DEFAULTS, **doc} for doc in proc["documents"]],
        "field": proc["field"],
    }
    # Only when set, so procedures without the requirement keep the content hash they had before the
    # key existed (an import after the upgrade leaves them alone).
    if proc.get("identity_level_required"):
        payload["identity_level_required"] = proc["identity_level_required"]
    return payload


def _hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def catalog_import(
    text: str, *, today: dt.date | None = None, progress: Callable[[int], None] | None = None
) -> ImportReport:
    data, problems = catalog_check(text)
    if problems:
        raise CatalogImportError(problems)
    assert data is not None
    data = _nfc_all(data)
    today = today or timezone.localdate()
    file_from = dt.date.fromisoformat(data["valid_from"])
    report = ImportReport()
    with transaction.atomic():
        fields = {}
        for item in data["fields"]:
            fields[item["slug"]], _ = Field.objects.update_or_create(
                slug=item["slug"],
                defaults={
                    "name": item["name"],
                    "description": item.get("description", ""),
                    "order": item.get("order", 0),
                },
            )
            report.fields += 1
        current = {p.code: p for p in Procedure.objects.current().select_for_update()}
        for proc in data["procedures"]:
            payload = _procedure_payload(proc, data["forms"])
            digest = _hash(payload)
            existing = current.get(proc["code"])
            if existing is not None and existing.content_hash == digest:
                report.unchanged += 1
            else:
                version, valid_from = 1, file_from
                if existing is not None:
                    existing.valid_to = today
                    existing.save(update_fields=["valid_to", "updated_at"])
                    version, valid_from = existing.version + 1, today
                    report.new_versions += 1
                else:
                    report.created += 1
                documents = payload.pop("documents")
                field_slug = payload.pop("field")
                created = Procedure.objects.create(
                    code=proc["code"],
                    version=version,
                    field=fields[field_slug],
                    content_hash=digest,
                    valid_from=valid_from,
                    **payload,
                )
                RequiredDocument.objects.bulk_create(
                    RequiredDocument(procedure=created, order=i, **doc) for i, doc in enumerate(documents)
                )
            if progress:
                progress(1)
    from .search import search_index_invalidate

    transaction.on_commit(search_index_invalidate)
    return report


def catalog_export() -> dict:
    """The current catalogue in the import format (a round trip gives the same versions)."""
    fields = [
        {"slug": f.slug, "name": f.name, "description": f.description, "order": f.order} for f in Field.objects.all()
    ]
    forms: dict[str, dict] = {}
    procedures = []
    qs = Procedure.objects.current().select_related("field").prefetch_related("documents").order_by("code")
    for p in qs:
        forms.setdefault(p.form_key, {"schema": p.form_schema, "ui": p.form_ui})
        time = {"kind": p.time_kind}
        if p.time_kind != "same_day":
            amount = float(p.time_amount)
            time["amount"] = int(amount) if amount.is_integer() else amount
        if p.time_note:
            time["note"] = p.time_note
        docs = []
        for d in p.documents.all():
            doc = {"name": d.name, "kind": d.kind, "count": d.count}
            if not d.required:
                doc["required"] = False
            for key in ("template", "store_doc_type", "national_db", "note"):
                if getattr(d, key):
                    doc[key] = getattr(d, key)
            docs.append(doc)
        procedures.append(
            {
                "code": p.code,
                "name": p.name,
                "citizen_name": p.citizen_name,
                "field": p.field.slug,
                "aliases": p.aliases,
                "level": p.level,
                "agency": p.agency,
                "online_level": p.online_level,
                "channels": p.channels,
                "who": p.who,
                "steps": p.steps,
                "documents": docs,
                "time": time,
                "fee": p.fee,
                "legal_basis": p.legal_basis,
                "result": p.result,
                "result_doc_type": p.result_doc_type,
                "form": p.form_key,
                "workflow": p.workflow,
                **({"step_shares": p.step_shares} if p.step_shares else {}),
                "linked": p.linked_codes,
                "popularity": p.popularity,
                **({"identity_level_required": p.identity_level_required} if p.identity_level_required else {}),
                "unconfirmed": p.unconfirmed,
                "sources": p.sources,
            }
        )
    first = Procedure.objects.current().order_by("valid_from").values_list("valid_from", flat=True).first()
    return {
        "schema": "motcua.catalog/1",
        "version": timezone.localdate().isoformat(),
        "valid_from": (first or timezone.localdate()).isoformat(),
        "fields": fields,
        "forms": forms,
        "procedures": procedures,
    }
