"""Side effects a workflow action names in its data file ("effect": "..."), run inside the transition's
transaction so a failure leaves nothing half-written."""

from motcua.documents.services import result_issue, store_accepted_documents


def _issue_result(dossier, actor, now) -> dict:
    result = result_issue(dossier=dossier, actor=actor, now=now)
    return {"result": result.public_code, "sha256": result.sha256, "pages": result.pages}


def _store_documents(dossier, actor, now) -> dict:
    stored = store_accepted_documents(dossier=dossier, actor=actor, now=now)
    return {"stored": len(stored)}


EFFECTS = {"issue_result": _issue_result, "store_documents": _store_documents}
