from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.database)
def staffing_check(app_configs=None, **kwargs):
    """`manage.py check --database default`: warn about offices where a dossier would be stranded."""
    from .staffing import staffing_gaps

    try:
        gaps = staffing_gaps()
    except DatabaseError:  # not migrated yet
        return []
    return [Warning(gap.message(), id="motcua.W013", obj=gap.office) for gap in gaps]
