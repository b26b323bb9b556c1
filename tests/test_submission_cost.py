"""What one online submission costs the database (issue 15, point 9): a small constant number of
queries in one transaction, the daily code counter taken last."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.dossiers.services import dossier_submit

from .conftest import BIRTH_FORM, documents_for


def test_a_submission_is_one_short_transaction_with_the_counter_last(catalog, citizen, office_a):
    documents = documents_for(citizen)
    dossier_submit(citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen))
    with CaptureQueriesContext(connection) as queries:
        _dossier, created = dossier_submit(
            citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents, idempotency_key="c1"
        )
    assert created
    sql = [q["sql"] for q in queries.captured_queries]
    print(len(sql))
    for s in sql:
        print(s[:160])
    counter = next(i for i, s in enumerate(sql) if "dossiers_dossiercounter" in s)
    # After the counter: the code itself, the event (with its predecessor's hash), the outbox rows.
    assert len(sql) - counter <= 6, sql[counter:]
    assert len(sql) <= 30
