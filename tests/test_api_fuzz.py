"""An independent fuzzer (schemathesis) against the project's own OpenAPI schema: every operation, as an
anonymous visitor, a citizen and an officer; no answer may be a server error, and every error answer is the
API's JSON body {code, message, fields}.

CI runs a smoke pass (FUZZ_EXAMPLES, default 5 examples per operation and role; ~10 s). The full run the issue
asks for (>= 100 examples each) is the documented command:

    FUZZ_EXAMPLES=100 make test PYTEST_ARGS="tests/test_api_fuzz.py"
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from config.wsgi import application
from motcua.api.api import api
from motcua.dossiers.models import Dossier

from .conftest import BIRTH_FORM, documents_for

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
ROLES = ("anonymous", "citizen", "officer")

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
schema.app = application
OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@pytest.fixture
def tokens(catalog, citizen, office_a, staff, api_token, settings):
    """A citizen with one submitted dossier and an intake officer of the same commune."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from motcua.dossiers.services import dossier_submit

    # As Django's test client does: requests must not close the test's connection (inside its transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    settings.ALLOWED_HOSTS = ["localhost", "testserver"]

    dossier_submit(
        citizen=citizen,
        procedure_code="1.001193",
        form=BIRTH_FORM,
        attachment_ids=documents_for(citizen),
        idempotency_key="fuzz-1",
    )
    dossier = Dossier.objects.get(idempotency_key="fuzz-1")
    yield {
        "users": {"citizen": citizen, "officer": staff["tiepnhan"]},
        "known": {"code": dossier.code, "year": "2026", "channel": "zalo"},
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _problems(response) -> list[str]:
    problems = []
    if response.status_code >= 500:
        problems.append(f"server error {response.status_code}")
    if response.status_code >= 400:
        raw = response.content or b""
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict) or not {"code", "message", "fields"} <= set(body):
            problems.append(f"error {response.status_code} is not the API's JSON error body: {raw[:200]!r}")
    return problems


def _strategy(operation, known: dict):
    """Data that fits the schema, data that does not (schemathesis' negative mode), and data that fits
    with real identifiers in the path (an existing dossier), so requests also reach past the 404s."""
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    # An operation without parameters has no schema to break.
    with contextlib.suppress(Exception):
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    names = {p.name for p in operation.path_parameters}
    if names and names <= set(known):
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters={n: known[n] for n in names}))
    return st.one_of(strategies)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_server_error(role, tokens, api_token):
    """Every operation in turn, for one role (the data set up once: setting it up per operation was most
    of the run's time). A fresh token per operation, so a fuzzed logout cannot disarm the next one."""
    seen: list[str] = []
    calls = 0
    for operation in OPERATIONS:
        current = {"Authorization": f"Bearer {api_token(tokens['users'][role])}"} if role != "anonymous" else {}

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=_strategy(operation, tokens["known"]))
        def run(case):
            nonlocal calls
            calls += 1
            response = case.call(headers=current)  # noqa: B023  (called within this iteration)
            problems = _problems(response)
            if problems:
                seen.append(f"{case.method} {case.formatted_path} {case.query} {str(case.body)[:200]}: {problems}")

        run()
    assert seen == []
    assert calls >= len(OPERATIONS)  # every operation was called
