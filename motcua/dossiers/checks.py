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


@register(Tags.database)
def workflow_check(app_configs=None, **kwargs):
    """Every current procedure names a workflow on disk, and its step shares name that workflow's steps
    and add up to at most the whole legal time."""
    from django.core.checks import Error

    from motcua.catalog.models import Procedure

    from .workflow import load_workflow

    problems = []
    try:
        procedures = list(Procedure.objects.current().only("pk", "code", "workflow", "step_shares"))
    except DatabaseError:  # not migrated yet
        return []
    for procedure in procedures:
        try:
            workflow = load_workflow(procedure.workflow)
        except ValueError:
            problems.append(
                Error(f"Thủ tục {procedure.code}: không có quy trình {procedure.workflow}", id="motcua.E015")
            )
            continue
        shares = procedure.step_shares or {}
        unknown = sorted(set(shares) - set(workflow.steps))
        total = sum(share for _step, _label, share in workflow.step_shares(shares))
        if unknown or total > 1.0001:
            problems.append(
                Error(
                    f"Thủ tục {procedure.code}: tỷ lệ thời gian từng bước không hợp lệ "
                    f"(bước lạ {unknown}, tổng {total:.2f})",
                    id="motcua.E016",
                )
            )
    return problems
