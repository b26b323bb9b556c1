"""Bench only, never served in production: the project's WSGI application with one more URL,
`POST /bench/bare-insert`, which does one INSERT in one transaction into the scratch table
`bench_bare_http` behind the same gunicorn, middleware and bearer-token check as `POST /api/v1/dossiers`.
It is the fair baseline of issue 15 point 9 ("a bare one-row insert through the same server stack"):

    .venv/bin/gunicorn bench.bare_wsgi:application --bind 127.0.0.1:8000 --workers 2 --threads 4
    .venv/bin/python bench/load_submissions.py --url http://127.0.0.1:8000 --database-url postgres://… --bare-http

`load_submissions.py --bare-http` creates the table before and drops it after."""

import json
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 — after the setup above
from django.db import connection, transaction  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

from config.urls import urlpatterns as project_urlpatterns  # noqa: E402
from motcua.api.auth import token_user  # noqa: E402

TABLE = "bench_bare_http"


@csrf_exempt
def bare_insert(request):
    """The same door as the API (a bearer token, JSON body), then one one-row INSERT transaction."""
    if request.method != "POST":
        return JsonResponse({"code": "method"}, status=405)
    user = token_user(request)
    if user is None:
        return JsonResponse({"code": "unauthorized"}, status=401)
    body = json.loads(request.body or b"{}")
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (user_id, body) VALUES (%s, %s) RETURNING id",  # noqa: S608 — our table
            [user.pk, json.dumps(body, ensure_ascii=False)],
        )
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [path("bench/bare-insert", bare_insert), *project_urlpatterns]
# Each request resolves against settings.ROOT_URLCONF: this module's list (the project's URLs and one more).
settings.ROOT_URLCONF = __name__
