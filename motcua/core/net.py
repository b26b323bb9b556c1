"""The client's address: the socket peer, or a forwarded address only when the peer is a trusted proxy.

Behind nginx every request comes from the proxy's address; without this, one counter would hold every
citizen of the portal. A forwarded header sent by anyone else is ignored, so nobody can pick the address
they are counted under (docs/operations.md, "Proxy")."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address in net for net in networks)


def client_ip(request) -> str | None:
    """The address to count a request under. Cached on the request."""
    cached = getattr(request, "_client_ip", False)
    if cached is not False:
        return cached
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    result = str(peer) if peer is not None else None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    header = settings.CLIENT_IP_HEADER
    if peer is not None and networks and header and _trusted(peer, networks):
        raw = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        # Walk right to left: the rightmost entries were added by our own proxies; the first address
        # that is not one of them is the client as our outermost proxy saw it.
        for item in reversed([part for part in raw.split(",") if part.strip()]):
            address = _parse(item)
            if address is None:
                break
            result = str(address)
            if not _trusted(address, networks):
                break
    request._client_ip = result
    return result


def safe_next(request, default: str = "", *, field: str = "next") -> str:
    """The `next` target from the form or query string when it stays on this site; otherwise `default`.
    Every redirect to a caller-supplied address goes through here (an open redirect is a phishing aid)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = (request.POST.get(field) or request.GET.get(field) or "").strip()
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
