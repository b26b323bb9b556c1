"""E-forms: a procedure's JSON Schema rendered as a server-side form, and the same schema validating what
comes in from pages and the API. Error messages are Vietnamese and name the field's label."""

from __future__ import annotations

import datetime as dt
import re

import jsonschema
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.inputs import (
    EARLIEST_BIRTH,
    CleanInputMixin,
    check_person_name,
    clean_date,
    clean_int,
    clean_text,
    nfc,
)
from motcua.core.widgets import DateBoxesField


def _title(schema: dict, name: str) -> str:
    return schema.get("properties", {}).get(name, {}).get("title", name)


def _message(error: jsonschema.ValidationError, schema: dict) -> tuple[str, str]:
    """(field name, Vietnamese message) for one schema error."""
    if error.validator == "required":
        name = re.findall(r"'([^']+)'", error.message)[0]
        prop = schema["properties"].get(name, {})
        verb = "Chọn" if "enum" in prop else "Nhập"
        return name, f"{verb} {_title(schema, name).lower()}"
    name = str(error.absolute_path[0]) if error.absolute_path else "__all__"
    title = _title(schema, name)
    kind, value = error.validator, error.validator_value
    if kind == "additionalProperties":
        extra = re.findall(r"'([^']+)'", error.message)
        return "__all__", _("Tờ khai có trường không thuộc biểu mẫu: %(f)s") % {"f": ", ".join(extra)}
    if kind == "pattern" and value == "^[0-9]{12}$":
        return name, _("%(t)s phải gồm đúng 12 chữ số") % {"t": title}
    if kind == "pattern":
        return name, _("%(t)s chưa đúng định dạng") % {"t": title}
    if kind == "minLength":
        return name, _("Nhập %(t)s") % {"t": title.lower()} if value <= 1 else _(
            "%(t)s phải có ít nhất %(n)s ký tự"
        ) % {"t": title, "n": value}
    if kind == "maxLength":
        return name, _("%(t)s dài quá %(n)s ký tự") % {"t": title, "n": value}
    if kind == "enum":
        return name, _("Chọn %(t)s trong các lựa chọn có sẵn") % {"t": title.lower()}
    if kind == "format" and value == "date":
        return name, _("%(t)s phải là một ngày có thật, ví dụ 12/03/2026") % {"t": title}
    prop = schema.get("properties", {}).get(name, {})
    if prop.get("type") == "integer" and kind in ("type", "minimum", "maximum"):
        message = _integer_message(prop, title, error.instance)
        if message:
            return name, message
    if kind == "type" and value == "integer":
        return name, _("%(t)s phải là số nguyên, ví dụ 2") % {"t": title}
    if kind == "type":
        return name, _("%(t)s chưa đúng kiểu dữ liệu") % {"t": title}
    if kind == "minimum":
        return name, _("%(t)s phải từ %(n)s trở lên") % {"t": title, "n": value}
    if kind == "maximum":
        return name, _("%(t)s không được lớn hơn %(n)s") % {"t": title, "n": value}
    return name, error.message


def _integer_range(prop: dict) -> tuple[int, int]:
    return prop.get("minimum", -INTEGER_MAX), prop.get("maximum", INTEGER_MAX)


def _integer_message(prop: dict, title: str, value) -> str | None:
    """The message of the one number parser (core.inputs.clean_int) for an integer answer the schema refused."""
    low, high = _integer_range(prop)
    try:
        clean_int(value, label=title, min_value=low, max_value=high)
    except ValidationError as exc:
        return exc.messages[0]
    return None


def normalize(schema: dict, data: dict) -> dict:
    """NFC and trimmed strings, empty optional values dropped: what gets stored is what was meant."""
    out = {}
    for key, value in (data or {}).items():
        if isinstance(value, str):
            value = nfc(value).strip()
            if value == "" and key not in schema.get("required", []):
                continue
        out[key] = value
    return out


# Bounds every e-form field has even when its schema is silent (docs/inputs.md): text length, whole
# numbers, and dates — birth and death dates are in the past, other dates within a year from today.
TEXT_MAX_LENGTH = 2000
INTEGER_MAX = 10**15
PAST_DATE_PREFIXES = ("ngay_sinh", "ngay_mat", "ngay_chet", "ngay_tu_vong")
FUTURE_DATE_DAYS = 366


def _is_past_date(name: str, prop: dict) -> bool:
    return bool(prop.get("x-past")) or name.startswith(PAST_DATE_PREFIXES)


PERSON_NAME_PREFIX = "ho_ten"


def is_person_name(name: str, prop: dict) -> bool:
    """A field holding a person's name: marked ``"format": "person-name"`` in the schema, or by the key
    convention every catalogue form follows (``ho_ten``, ``ho_ten_tre``, ``ho_ten_me``, …)."""
    return prop.get("format") == "person-name" or name.startswith(PERSON_NAME_PREFIX)


def _bounds(schema: dict, clean: dict) -> dict[str, list[str]]:
    """Checks the JSON Schema cannot say: characters, default lengths, number and date ranges."""
    errors: dict[str, list[str]] = {}
    props = schema.get("properties", {})
    for name, value in clean.items():
        prop = props.get(name)
        if prop is None:
            continue  # additionalProperties reports it
        title = prop.get("title", name)
        if isinstance(value, str):
            try:
                text = clean_text(value, max_length=prop.get("maxLength", TEXT_MAX_LENGTH), multiline=True, label=title)
                if is_person_name(name, prop):
                    check_person_name(text, label=title)
            except ValidationError as exc:
                if exc.code != "max_length" or "maxLength" not in prop:  # the schema's own message otherwise
                    errors.setdefault(name, []).extend(exc.messages)
                continue
        if prop.get("type") == "integer" and isinstance(value, int) and not isinstance(value, bool):
            low, high = prop.get("minimum", -INTEGER_MAX), prop.get("maximum", INTEGER_MAX)
            if (value > high and "maximum" not in prop) or (value < low and "minimum" not in prop):
                errors.setdefault(name, []).append(
                    _("%(t)s phải từ %(a)s đến %(b)s") % {"t": title, "a": low, "b": high}
                )
        if prop.get("format") == "date" and isinstance(value, str):
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                continue  # the format check reports it
            today = timezone.localdate()
            high = today if _is_past_date(name, prop) else today + dt.timedelta(days=FUTURE_DATE_DAYS)
            try:
                clean_date(day, label=title, min_date=EARLIEST_BIRTH, max_date=high)
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.messages)
    return errors


def validate(schema: dict, data: dict) -> tuple[dict, dict[str, list[str]]]:
    """(normalised data, errors by field). The same check runs for pages and the API."""
    if not isinstance(data, dict):
        return {}, {"__all__": [_("Tờ khai phải là một đối tượng JSON")]}
    clean = normalize(schema, data)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors: dict[str, list[str]] = {}
    for error in sorted(validator.iter_errors(clean), key=lambda e: list(map(str, e.absolute_path))):
        field, message = _message(error, schema)
        if message not in errors.get(field, []):
            errors.setdefault(field, []).append(message)
    for field, messages in _bounds(schema, clean).items():
        for message in messages:
            if message not in errors.get(field, []):
                errors.setdefault(field, []).append(message)
    # Every answer can end up on the result or a form: characters the PDF font cannot draw are named here,
    # when they can still be fixed, instead of vanishing from the signed document.
    from motcua.core.glyphs import printable_errors

    titles = {name: _title(schema, name) for name in clean}
    for field, messages in printable_errors(clean, labels=titles).items():
        errors.setdefault(field, []).extend(messages)
    return clean, errors


# --- page rendering ------------------------------------------------------------------------------------
def build_form_class(schema: dict, ui: dict) -> type[forms.Form]:
    """A Django form whose fields follow the schema and the UI hints (order, widgets, hints)."""
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    widgets, hints = ui.get("widgets", {}), ui.get("hints", {})
    order = [n for n in ui.get("order", []) if n in props] + [n for n in props if n not in ui.get("order", [])]
    fields = {}
    for name in order:
        prop = props[name]
        title = prop.get("title", name)
        common = {"label": title, "required": False, "help_text": hints.get(name, "")}
        if prop.get("format") == "date" or widgets.get(name) == "date":
            fields[name] = DateBoxesField(title=title, **common)
        elif "enum" in prop:
            fields[name] = forms.ChoiceField(choices=[(v, v) for v in prop["enum"]], widget=forms.RadioSelect, **common)
        elif prop.get("type") == "integer":
            fields[name] = forms.CharField(
                widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}), **common
            )
        else:
            attrs = {"spellcheck": "false"} if "pattern" in prop or name.startswith(("ho_ten", "so_")) else {}
            if prop.get("pattern") == "^[0-9]{12}$":
                attrs["inputmode"] = "numeric"
            if name.startswith("ho_ten"):
                attrs["autocomplete"] = "off"
            widget = (
                forms.Textarea(attrs={**attrs, "rows": 4})
                if widgets.get(name) == "textarea"
                else forms.TextInput(attrs)
            )
            fields[name] = forms.CharField(widget=widget, **common)
        fields[name].schema_required = name in required
    return type("EForm", (CleanInputMixin, forms.Form), fields)


def form_to_data(schema: dict, cleaned: dict) -> dict:
    """Django's cleaned strings → JSON types the schema expects. Integers go through ``clean_int`` (never
    through identifier cleaning: "1.5" is not 15, "-1" is not 1); one it refuses stays a string, so the
    schema reports it with clean_int's message."""
    props = schema.get("properties", {})
    out = {}
    for name, value in cleaned.items():
        if value in (None, ""):
            continue
        if props.get(name, {}).get("type") == "integer":
            low, high = _integer_range(props[name])
            try:
                out[name] = clean_int(value, min_value=min(low, -INTEGER_MAX), max_value=max(high, INTEGER_MAX))
            except ValidationError:
                out[name] = value
        else:
            out[name] = value
    return out


def prefill(ui: dict, sources: dict) -> dict:
    """Initial values from the citizen profile and the population registry, as the form's `ui.prefill`
    says: {"field": ["citizen.full_name?female", "registry.spouse.full_name?male"]} — the first source
    whose condition holds and that has a value wins."""
    gender = (sources.get("citizen") or {}).get("gender", "")
    values = {}
    for field, candidates in (ui.get("prefill") or {}).items():
        for candidate in candidates if isinstance(candidates, list) else [candidates]:
            path, _sep, condition = candidate.partition("?")
            if condition and condition != gender:
                continue
            node = sources
            for part in path.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if node:
                values[field] = node
                break
    return values
