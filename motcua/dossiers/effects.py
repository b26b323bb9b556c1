"""Side effects a workflow action names in its data file ("effect": "..."), run inside the transition's
transaction so a failure leaves nothing half-written. Slow work an effect needs (rendering, signing,
time-stamping) is done by its PREPARE step before that transaction, never while holding its locks.
LOCKS says which of the dossier's rows an effect writes, so the transition locks them (locks.py order)."""

from motcua.documents.services import result_issue, result_prepare, store_accepted_documents


def _prepare_result(dossier, actor, now):
    return result_prepare(dossier=dossier, actor=actor, now=now)


def _issue_result(dossier, actor, now, prepared=None) -> dict:
    result = result_issue(dossier=dossier, actor=actor, now=now, prepared=prepared)
    return {"result": result.public_code, "sha256": result.sha256, "pages": result.pages}


def _store_documents(dossier, actor, now) -> dict:
    stored = store_accepted_documents(dossier=dossier, actor=actor, now=now)
    return {"stored": len(stored)}


EFFECTS = {"issue_result": _issue_result, "store_documents": _store_documents}
PREPARE = {"issue_result": _prepare_result}
LOCKS = {"issue_result": ("results",), "store_documents": ("attachments",)}
