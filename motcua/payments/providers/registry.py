from .bank import BankTransferProvider
from .base import Provider
from .gateway import GatewayProvider
from .national import NationalPlatformProvider

_PROVIDERS: dict[str, Provider] = {
    p.name: p for p in (BankTransferProvider(), GatewayProvider(), NationalPlatformProvider())
}


def provider_get(name: str) -> Provider | None:
    return _PROVIDERS.get(name)


def providers_all() -> list[Provider]:
    return list(_PROVIDERS.values())
