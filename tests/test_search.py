import json
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.catalog.search import Entry, SearchIndex, load_synonyms
from motcua.catalog.selectors import procedure_search


def top(query: str) -> str | None:
    hits = procedure_search(query=query, limit=3)
    return hits[0].code if hits else None


def test_accents_do_not_matter(catalog):
    assert top("đăng ký khai sinh") == top("dang ky khai sinh") == top("ĐĂNG KÝ KHAI SINH") == "1.001193"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("giấy độc thân", "1.004873"),
        ("công chứng bản sao", "2.000815"),
        ("làm giấy khai sinh cho con", "1.001193"),
        ("nhập hộ khẩu", "1.004222"),
        ("ở trọ", "1.004194"),
        ("báo tử cho mẹ", "1.000656"),
    ],
)
def test_colloquial_names(catalog, query, code):
    assert top(query) == code


@pytest.mark.parametrize(
    ("query", "code"), [("khai sihn", "1.001193"), ("xac nhan doc tan", "1.004873"), ("tamm tru", "1.004194")]
)
def test_typos(catalog, query, code):
    assert top(query) == code


def test_code_lookup_and_nonsense(catalog):
    assert top("2.000884") == "2.000884"
    assert procedure_search(query="xyzzy qwerty", limit=3) == []


def test_ranked_scores_descend(catalog):
    hits = procedure_search(query="khai sinh", limit=10)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len(hits) >= 3


def test_index_works_on_plain_entries():
    synonyms, stop = load_synonyms()
    index = SearchIndex([Entry("1.000001", "Đăng ký tạm trú", "", "Cư trú", ("ở trọ",), 1)], synonyms, stop)
    assert index.search("o tro")[0].code == "1.000001"


def test_labelled_query_set_accuracy(catalog):
    out = StringIO()
    call_command("search_eval", stdout=out)
    lines = out.getvalue().splitlines()
    main = lines[0]
    top1 = float(main.split("top-1 ")[1].split("= ")[1].split("%")[0])
    assert top1 >= 90.0, main
    holdout = lines[1]
    top3 = float(holdout.split("top-3 ")[1].split("= ")[1].split("%")[0])
    assert top3 >= 90.0, holdout


def test_search_procedures_command_prints_json_last(catalog):
    out = StringIO()
    call_command("search_procedures", "giấy độc thân", limit=3, json=True, stdout=out)
    rows = json.loads(out.getvalue().strip().splitlines()[-1])
    assert rows[0]["code"] == "1.004873" and {"code", "name"} <= set(rows[0])
    assert len(rows) == 3


def test_index_follows_catalogue_changes(catalog):
    from motcua.catalog.models import Procedure

    assert top("khai sinh") == "1.001193"
    Procedure.objects.filter(code="1.001193").update(valid_to="2026-01-01")
    from motcua.catalog.search import search_index_invalidate

    search_index_invalidate()
    assert top("khai sinh") != "1.001193"
