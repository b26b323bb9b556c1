"""The adapter interface every payment provider implements."""

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass


class CallbackUnreadable(ValueError):
    """A signed notification whose content cannot be read (missing field, bad amount); kept for review."""


@dataclass(frozen=True)
class Notification:
    """What a provider says happened: `amount` in whole đồng, `paid_at` aware; `succeeded` False for a
    gateway transaction the payer abandoned or the bank declined."""

    transaction_id: str
    reference: str
    amount: int
    paid_at: dt.datetime
    succeeded: bool = True


class Provider(ABC):
    """One payment provider: verifies and reads its notifications, answers them in its own dialect, and
    (where it can) answers a status query for a payment reference."""

    name: str = ""
    #: PaymentChannel value recorded on every payment that comes through this provider.
    channel: str = ""
    label: str = ""

    @abstractmethod
    def verify(self, *, raw_body: bytes, headers: dict, params: dict) -> bool:
        """True when the notification carries a valid signature. Must not raise."""

    @abstractmethod
    def parse(self, *, raw_body: bytes, headers: dict, params: dict) -> Notification:
        """The notification's content. Raises CallbackUnreadable."""

    def acknowledge(self, outcome: str) -> tuple[int, dict]:
        """(HTTP status, JSON body) answering a notification with this outcome (CallbackOutcome value)."""
        if outcome == "bad_signature":
            return 401, {"code": "bad_signature", "message": "Chữ ký không hợp lệ"}
        if outcome == "invalid":
            return 400, {"code": "invalid", "message": "Nội dung thông báo không đọc được"}
        return 200, {"code": "ok", "outcome": outcome}

    def query(self, *, reference: str) -> list[Notification]:
        """Credits the provider knows for this reference (status query); empty when it cannot tell."""
        return []

    def checkout_url(self, *, intent, return_url: str) -> str | None:
        """Where to send the payer to pay `intent` (redirect-style gateways); None for bank transfers."""
        return None

    @property
    def configured(self) -> bool:
        return True
