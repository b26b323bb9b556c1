from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """Vietnamese unless the visitor chose another language (the language cookie set by /i18n/setlang/).

    The browser's Accept-Language is ignored on purpose: many citizens' phones are set to English by
    default, and a public service in Vietnam must not switch them to a partial English translation."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RefuseUnreadableInputMiddleware:
    """The safety net under per-field validation: a NUL, another control character or a lone surrogate
    in any query or form parameter (name or value) or in any string of a JSON body is refused before a
    view runs — PostgreSQL cannot store or even compare NUL, so one such character used to answer 500.
    Pages get 400 with a message, the API gets its JSON error body with 422 naming the parameter (or the
    path in the JSON body, e.g. ``records.3.full_name``)."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
    # Batches judge each record on its own (one bad record must not refuse the others).
    PER_RECORD_PATHS = ("/api/v1/outreach/records",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .inputs import has_bad_characters

        bad = "path" if has_bad_characters(request.path) else self._bad_parameter(request.GET)
        if bad is None and request.method == "POST" and request.content_type in self.FORM_TYPES:
            bad = self._bad_parameter(request.POST)
            if bad is None:
                bad = next(
                    (key for key, files in request.FILES.lists() if any(has_bad_characters(f.name) for f in files)),
                    None,
                )
        if (
            bad is None
            and request.content_type == "application/json"
            and request.method in ("POST", "PUT", "PATCH")
            and request.path not in self.PER_RECORD_PATHS
        ):
            bad = self._bad_json(request)
        if bad is not None:
            return self._refuse(request, bad)
        return self.get_response(request)

    @staticmethod
    def _bad_parameter(params) -> str | None:
        from .inputs import has_bad_characters

        for key, values in params.lists():
            if has_bad_characters(key) or any(has_bad_characters(v) for v in values):
                return key
        return None

    @classmethod
    def _bad_json(cls, request) -> str | None:
        import json

        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None  # the view answers its own "cannot parse" error
        try:
            return cls._walk(data, [])
        except RecursionError:
            return "body"

    @classmethod
    def _walk(cls, node, path: list) -> str | None:
        from .inputs import has_bad_characters

        if isinstance(node, str):
            return ".".join(map(str, path)) or "body" if has_bad_characters(node) else None
        if isinstance(node, dict):
            for key, value in node.items():
                if has_bad_characters(key):
                    return ".".join(map(str, [*path, "?"]))
                found = cls._walk(value, [*path, key])
                if found is not None:
                    return found
        elif isinstance(node, list):
            for index, value in enumerate(node):
                found = cls._walk(value, [*path, index])
                if found is not None:
                    return found
        return None

    @staticmethod
    def _refuse(request, name: str):
        from django.http import JsonResponse
        from django.shortcuts import render

        from .inputs import bad_character
        from .labels import unreadable_message

        clean_name = name if bad_character(name, multiline=True) is None else "?"
        message = unreadable_message(clean_name)  # the field's label, never its key
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "invalid", "message": message, "fields": {clean_name: [message]}},
                status=422,
                json_dumps_params={"ensure_ascii": False},
            )
        return render(request, "400.html", {"message": message}, status=400)
