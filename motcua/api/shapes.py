"""JSON shapes more than one router answers with (one definition, so the dossier and feedback APIs agree)."""


def event_json(event) -> dict:
    """One entry of an item's event log (a dossier's or a feedback item's): {"seq", "action", "from", "to",
    "at", "note", "actor_role"}."""
    return {
        "seq": event.seq,
        "action": event.action,
        "from": event.from_status,
        "to": event.to_status,
        "at": event.created_at,
        "note": event.note,
        "actor_role": event.actor_role,
    }
