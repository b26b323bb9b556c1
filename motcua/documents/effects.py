"""The documents app's side of the workflow effects ("effect": "issue_result" / "store_documents" in a
workflow data file), registered with the engine at start-up (`DocumentsConfig.ready`). Each runs inside
the transition's transaction; the slow part of issuing a result (rendering, signing, the time-stamp) is
`prepare_result`, run before that transaction."""

from .services import result_issue, result_prepare, store_accepted_documents


def prepare_result(dossier, actor, now):
    return result_prepare(dossier=dossier, actor=actor, now=now)


def issue_result(dossier, actor, now, prepared=None) -> dict:
    """The signed result; returns what the event records: {"result": public code, "sha256", "pages"}."""
    result = result_issue(dossier=dossier, actor=actor, now=now, prepared=prepared)
    return {"result": result.public_code, "sha256": result.sha256, "pages": result.pages}


def store_documents(dossier, actor, now) -> dict:
    """Copies the accepted dossier's documents to the citizen's store; returns {"stored": how many}."""
    stored = store_accepted_documents(dossier=dossier, actor=actor, now=now)
    return {"stored": len(stored)}
