"""The worklist's rows as HTML (`{% worklist_rows rows dossier_path %}` in workspace/worklist.html).

A worklist page is the officers' most requested page and its rows were most of its template's cost (25 rows
of ten variables and four conditions each, through the template engine's node, lookup and escaping machinery:
about 1.5 ms of a 15 ms page). The markup of one row is written here once, every value goes through
`format_html`'s escaping, and the output is byte for byte what the template loop produced (issue 15,
point 8). The texts themselves (status, due moment, lateness) come formatted from
`dossiers.selectors.WorklistRow`."""

from urllib.parse import quote

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ROW = (
    '\n<tr><td><a href="{path}{href}">{code}</a></td>\n'
    '<td>{procedure}<br><span class="muted">{applicant}</span></td>\n'
    '<td><span class="tag{tone}">{status}</span></td>\n'
    "<td>{when}{note}</td>\n"
    "<td>{officer}</td></tr>\n"
)


def _note(row) -> SafeString | str:
    """Under the moment: how the finished dossier ended, how late it is, or how much time is left."""
    if row.timeliness:
        return format_html('<br><span class="tag{}">{}</span>', row.timeliness_tag, row.timeliness)
    if row.late_text:
        return format_html('<br><strong class="tag tag-late" data-testid="overdue">{}</strong>', row.late_text)
    if row.remaining:
        return format_html('<br><span class="muted">{}</span>', row.remaining)
    return ""


@register.simple_tag
def worklist_rows(rows, dossier_path: str) -> SafeString:
    """The `<tr>` of each `WorklistRow`, each link the dossier page's path plus the URL-quoted code (as the
    `urlencode` filter quotes it)."""
    # Every piece is a SafeString made by format_html, which escapes each value it places.
    return mark_safe(  # noqa: S308
        "".join(
            format_html(
                ROW,
                path=dossier_path,
                href=quote(row.dossier.code, safe="/"),
                code=row.dossier.code,
                procedure=row.procedure,
                applicant=row.dossier.applicant_name,
                tone=row.tone,
                status=row.status,
                when=row.when,
                note=_note(row),
                officer=row.officer,
            )
            for row in rows
        )
    )
