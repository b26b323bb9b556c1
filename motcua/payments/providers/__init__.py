"""Payment providers behind one adapter interface (base.Provider). Each has a local simulator; the
registry maps the name in `POST /api/v1/payments/callback/{provider}` to the adapter."""

from .base import CallbackUnreadable, Notification, Provider
from .registry import provider_get, providers_all

__all__ = ["CallbackUnreadable", "Notification", "Provider", "provider_get", "providers_all"]
