"""The national population database (CSDL quốc gia về dân cư), behind a small interface.

`SimulatedPopulationRegistry` answers from a local file of demo citizens and is what the demo and the
tests use; `HttpPopulationRegistry` calls a configured endpoint. Choose with POPULATION_REGISTRY
("simulator" or "http") and POPULATION_REGISTRY_URL."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings

DEMO_FILE = Path(__file__).parent / "data" / "population_demo.json"


@dataclass(frozen=True)
class Person:
    citizen_id: str
    full_name: str
    birth_date: str
    gender: str
    address: str = ""
    spouse: dict | None = None
    household: list[dict] = field(default_factory=list)


class RegistryUnavailable(Exception):
    pass


class SimulatedPopulationRegistry:
    name = "simulator"

    def __init__(self, path: Path = DEMO_FILE):
        self.people = {p["citizen_id"]: p for p in json.loads(path.read_text(encoding="utf-8"))["people"]}

    def lookup(self, citizen_id: str) -> Person | None:
        data = self.people.get(citizen_id)
        return Person(**data) if data else None


class HttpPopulationRegistry:
    """GET {url}/people/{citizen_id} → the Person fields as JSON; 404 → not found."""

    name = "http"

    def __init__(self, url: str, token: str = "", timeout: float = 5.0):
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    def lookup(self, citizen_id: str) -> Person | None:
        request = urllib.request.Request(f"{self.url}/people/{citizen_id}")  # noqa: S310 — configured URL
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                data = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise RegistryUnavailable(f"population registry answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError) as exc:
            raise RegistryUnavailable(str(exc)) from exc
        known = set(Person.__dataclass_fields__)
        return Person(**{k: v for k, v in data.items() if k in known})


@lru_cache(maxsize=1)
def population_registry():
    if settings.POPULATION_REGISTRY == "http":
        return HttpPopulationRegistry(settings.POPULATION_REGISTRY_URL, settings.POPULATION_REGISTRY_TOKEN)
    return SimulatedPopulationRegistry()
