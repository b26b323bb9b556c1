"""Small readers for environment variables, so settings fail loudly on a malformed value."""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def served_site_url(host: str, port: str) -> str:
    """The address `make run` actually serves, for QR codes and links when SITE_URL is not set.

    A wildcard bind (0.0.0.0, ::) is reachable from other machines at this machine's LAN address, which
    is what a phone scanning a QR code needs; without a network, 127.0.0.1."""
    import socket

    host = (host or "127.0.0.1").strip()
    if host in ("0.0.0.0", "::", "[::]", ""):  # noqa: S104  (naming the wildcard, not binding to it)
        host = "127.0.0.1"
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect(("10.255.255.255", 1))  # no packet is sent; the kernel picks the LAN address
                host = probe.getsockname()[0]
        except OSError:
            pass
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port or '8000'}"
