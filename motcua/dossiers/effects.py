"""What the engine asks another app to do at an event, by name only, so that dossiers imports no app above
it (docs/architecture.md, layers; the import contract in pyproject.toml):

- side effects a workflow action names in its data file ("effect": "issue_result"), run inside the
  transition's transaction so a failure leaves nothing half-written; slow work an effect needs (rendering,
  signing, time-stamping) is its PREPARE step, run before that transaction, never while holding its locks;
- the forms (01–05, the tracking form) an event issues: recorded in the event's transaction, rendered and
  signed right after the commit.

The documents app registers both at start-up (`DocumentsConfig.ready`). An effect or a form hook nobody
registered is a configuration error and fails loudly (KeyError / RuntimeError), never silently."""

from __future__ import annotations

from collections.abc import Callable

# effect name → run(dossier, actor, now[, prepared]) -> dict recorded in the event's data
EFFECTS: dict[str, Callable[..., dict]] = {}
# effect name → prepare(dossier, actor, now) -> what `run` takes as `prepared` (outside the transaction)
PREPARE: dict[str, Callable] = {}
# effect name → which of the dossier's rows it writes, so the transition locks them (locks.py order)
LOCKS: dict[str, tuple[str, ...]] = {}
_FORMS: dict[str, Callable | str] = {}


def register_effect(
    name: str, run: Callable[..., dict], *, prepare: Callable | None = None, locks: tuple[str, ...] = ()
) -> None:
    EFFECTS[name] = run
    LOCKS[name] = tuple(locks)
    if prepare is not None:
        PREPARE[name] = prepare


def register_forms(*, record: Callable, complete: Callable, of_transition: Callable, receipt: str) -> None:
    """record(dossier=, event=, forms=) -> ids (inside the transaction); complete(ids) (after the commit);
    of_transition(workflow=, form=, target=) -> form numbers an action issues; receipt: Form 01's number."""
    _FORMS.update(record=record, complete=complete, of_transition=of_transition, receipt=receipt)


def _hook(name: str):
    try:
        return _FORMS[name]
    except KeyError:
        raise RuntimeError("No app registered the issued forms (is motcua.documents installed?)") from None


def forms_record(*, dossier, event, forms: list[str]) -> list[int]:
    return _hook("record")(dossier=dossier, event=event, forms=forms)


def forms_complete(ids: list[int]) -> None:
    _hook("complete")(ids)


def forms_of_transition(*, workflow, form: str, target: str) -> list[str]:
    return _hook("of_transition")(workflow=workflow, form=form, target=target)


def receipt_form() -> str:
    """The number of the receipt and appointment form (Form 01, Circular 01/2018)."""
    return _hook("receipt")


# --- submission hooks: other apps act on a new dossier inside the submission's transaction ----------------------
# name → run(dossier=, now=, fresh=) -> statements or None: e.g. the payments app plans the fee's payment intents
# (docs/payments.md); the stats app hands back the upserts of its counters (docs/stats.md).
_ON_SUBMITTED: dict[str, Callable[..., None]] = {}


def register_on_submitted(name: str, run: Callable[..., None]) -> None:
    """Called once per submitted dossier, inside the submission's transaction, after its attachments are
    claimed and before the daily code counter is taken (the dossier still has a provisional code): read
    here, write what needs the real code in a code hook. ``fresh``: the dossier row was created by this
    submission (not a draft), so no other row refers to it yet and there is nothing to look up about it.
    A hook may return statements, ``[(sql, params)…]`` without results (upserts of counters), which the
    engine runs with the daily counter's own statement, under its lock: on PostgreSQL as data-modifying
    CTEs of that one statement, so they cost no round trip of their own while the lock is held. An
    exception rolls the whole submission back."""
    _ON_SUBMITTED[name] = run


def on_submitted(*, dossier, now, fresh: bool) -> list[tuple[str, list]]:
    """Run the submission hooks; returns the statements they handed back, in registration order."""
    statements: list[tuple[str, list]] = []
    for run in _ON_SUBMITTED.values():
        statements += run(dossier=dossier, now=now, fresh=fresh) or []
    return statements


# --- code hooks: a submitted dossier gets its real code last (the daily counter's lock stays short), after the
# submission hooks ran on a provisional one; what they derived from the code follows it here.
_ON_CODED: dict[str, Callable[..., None]] = {}


def register_on_coded(name: str, run: Callable[..., None]) -> None:
    """Called once per submitted dossier, inside the submission's transaction, right after its real code
    replaced the provisional one (``run(dossier=)``). Keep it to a statement or two: the daily code counter's
    row lock is held until the commit."""
    _ON_CODED[name] = run


def on_coded(*, dossier) -> None:
    for run in _ON_CODED.values():
        run(dossier=dossier)


# --- event hooks: other apps act on every event the log records, inside the event's transaction ---------------
# name → run(dossier=, event=): e.g. the stats app keeps its counters in step (docs/stats.md); the payments app
# cancels what a refused, withdrawn or stopped dossier still owes. Every change of
# a dossier that matters goes through `event_append` (submission, transitions, payments, system events).
_ON_EVENT: dict[str, Callable[..., None]] = {}


def register_on_event(name: str, run: Callable[..., None]) -> None:
    """Called for every appended event, inside the caller's transaction, with the dossier as it is after the
    change (the caller holds its row lock); an exception rolls the change back."""
    _ON_EVENT[name] = run


def on_event(*, dossier, event) -> None:
    for run in _ON_EVENT.values():
        run(dossier=dossier, event=event)


# --- rating hooks: a citizen's rating of a finished dossier, inside the rating's transaction ----------------------
_ON_RATED: dict[str, Callable[..., None]] = {}


def register_on_rated(name: str, run: Callable[..., None]) -> None:
    """Called once per new rating (run(rating=)), inside the transaction that creates it."""
    _ON_RATED[name] = run


def on_rated(*, rating) -> None:
    for run in _ON_RATED.values():
        run(rating=rating)
