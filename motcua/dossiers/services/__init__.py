"""Writes for dossiers, one module per job: `submission` (drafts, submissions, the daily code), `transition`
(the one door for state changes), `attachments` (uploads), `events` (the hash-chained log), `counter`
(walk-in citizens) and `public` (rating, tracking). The names below are re-exported so callers import
them from `motcua.dossiers.services`."""

from ..rules import REPEAT_WINDOW
from .attachments import (
    attach_to_draft,
    attachment_remove_from_draft,
    attachment_upload,
    draft_set_on_behalf,
    upload_quota,
)
from .counter import citizen_find_or_create
from .events import event_append, event_chain_valid, notify_event
from .public import (
    dossier_for_rating_token,
    dossier_rate,
    dossier_rate_by_token,
    dossier_track_checked,
    rating_token,
)
from .submission import dossier_draft_save, dossier_submit, next_dossier_code, office_for_citizen
from .transition import NOTE_MAX_LENGTH, dossier_transition

__all__ = [
    "NOTE_MAX_LENGTH",
    "REPEAT_WINDOW",
    "attach_to_draft",
    "attachment_remove_from_draft",
    "attachment_upload",
    "citizen_find_or_create",
    "dossier_draft_save",
    "dossier_for_rating_token",
    "dossier_rate",
    "dossier_rate_by_token",
    "dossier_submit",
    "dossier_track_checked",
    "dossier_transition",
    "draft_set_on_behalf",
    "event_append",
    "event_chain_valid",
    "next_dossier_code",
    "notify_event",
    "office_for_citizen",
    "rating_token",
    "upload_quota",
]
