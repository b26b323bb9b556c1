"""Issue 15, point 4: the layers hold (import-linter contracts in pyproject.toml), and a forbidden import
breaks them."""

from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
CONFIG = str(ROOT / "pyproject.toml")


def check(*contracts: str) -> int:
    return lint_imports(config_filename=CONFIG, limit_to_contracts=contracts, no_cache=True, no_logo=True)


def test_the_layer_contracts_hold():
    assert check() == 0


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("motcua/core/_layer_probe.py", "from motcua.dossiers import models\n", "core-independent"),
        ("motcua/documents/_layer_probe.py", "from motcua.workspace import views\n", "domains-below-interfaces"),
        ("motcua/dossiers/_layer_probe.py", "from motcua.documents import pdf\n", "dossiers-below-documents"),
        # The loops broken in issue 15 (calendars, places, accounts and outreach used to import the engine).
        ("motcua/calendars/_layer_probe.py", "from motcua.dossiers import deadlines\n", "layers"),
        ("motcua/places/_layer_probe.py", "from motcua.dossiers import staffing\n", "layers"),
        ("motcua/accounts/_layer_probe.py", "from motcua.documents import models\n", "layers"),
        ("motcua/dossiers/_layer_probe.py", "from motcua.outreach import services\n", "layers"),
        ("motcua/notifications/_layer_probe.py", "from motcua.accounts import identity\n", "layers"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(module, line, contract):
    probe = ROOT / module
    probe.write_text(line, encoding="utf-8")
    try:
        assert check(contract) == 1
    finally:
        probe.unlink()
    assert check(contract) == 0
