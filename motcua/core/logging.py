"""Mask personal data (citizen ID numbers, phone numbers) in every log record (Decree 13/2023)."""

import logging
import re

# 12-digit citizen IDs and Vietnamese phone numbers (0xxxxxxxxx or +84xxxxxxxxx), as whole tokens.
_CITIZEN_ID = re.compile(r"(?<!\d)(\d{3})\d{6}(\d{3})(?!\d)")
_PHONE = re.compile(r"(?<![\d+])(\+84|0)(\d{2})\d{4,5}(\d{3})(?!\d)")


def mask_personal_data(text: str) -> str:
    text = _CITIZEN_ID.sub(lambda m: f"{m.group(1)}******{m.group(2)}", text)
    return _PHONE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(3)}", text)


def mask_citizen_id(value: str) -> str:
    """Show only the first three and last three digits: 001******345."""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 6)}{value[-3:]}"


def mask_phone(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 6)}{value[-3:]}"


_FORMATTER = logging.Formatter()


class MaskPersonalDataFilter(logging.Filter):
    """Masks the message, and the traceback too: a duplicate-key error quotes the row's values (a phone
    number) in its text. The traceback is rendered here once into `exc_text`, masked, and formatters use
    that text instead of rendering the exception again."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record
            message = None
        if message is not None:
            masked = mask_personal_data(message)
            if masked != message:
                record.msg = masked
                record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True
