"""Template filters that read a dossier's workflow data: `{% load dossiers %}`."""

from django import template
from django.utils.translation import gettext

from motcua.dossiers.workflow import load_workflow

register = template.Library()


@register.filter
def event_label(event, dossier) -> str:
    """The label of an event in the dossier's log, from the dossier's workflow data, translated."""
    return gettext(load_workflow(dossier.workflow).event_label(event.action))


@register.filter
def note_for_citizen(event, dossier) -> bool:
    """Whether the citizen's timeline prints this event's note (the workflow's "citizen_note")."""
    return load_workflow(dossier.workflow).shows_note_to_citizen(event.action)
