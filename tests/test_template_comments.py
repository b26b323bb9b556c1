"""A `{# … #}` comment must close on its own line: Django prints a multi-line one to the page (a citizen saw
the e-form's developer note above every question). Every template is checked."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "motcua"


def test_no_template_comment_spans_lines():
    found = []
    for path in ROOT.rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for opening in re.finditer(r"\{#", line):
                if "#}" not in line[opening.end() :]:
                    found.append(f"{path.relative_to(ROOT)}:{number}")
    assert not found, "use {% comment %} for comments on several lines: " + ", ".join(found)


def test_the_online_form_shows_no_template_comment(client, catalog, citizen, office_a):
    client.force_login(citizen)
    page = client.get("/thu-tuc/1.004873/nop-truc-tuyen", follow=True).content.decode()
    assert 'class="field' in page  # the e-form's fields are on the page
    assert "{#" not in page and "#}" not in page and "aria-describedby names" not in page
