from django.db import connections
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers: answers 503 when the database cannot run a query."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def int_param(value, default: int = 0, *, min_value: int = -(2**31), max_value: int = 2**31 - 1) -> int:
    """A whole number from a form or query string; garbage ("²", "١", 10**20) becomes the default instead
    of a 500 (or a database error for an id beyond the column's range)."""
    from motcua.core.inputs import int_or_default

    return int_or_default(value, default=default, min_value=min_value, max_value=max_value)
