import datetime as dt

from ninja import NinjaAPI, Swagger
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from motcua.core import clock

from . import errors
from .routers import (
    auth,
    calendar,
    catalog,
    demo,
    dossiers,
    feedback,
    hotline,
    inbox,
    outreach,
    payments,
    sms,
    stats,
    verify,
)


class LocalTimeEncoder(NinjaJSONEncoder):
    """The API's one serializer for moments: ISO 8601 in Asia/Ho_Chi_Minh with whole seconds
    ("2026-11-30T09:15:00+07:00"), whether the value was just computed or read back from the database."""

    def default(self, o):
        if isinstance(o, dt.datetime):
            return clock.iso(o)
        return super().default(o)


class VietnameseJSONRenderer(JSONRenderer):
    """UTF-8 as is: messages read "Không tìm thấy", not "Kh\\u00f4ng"."""

    encoder_class = LocalTimeEncoder
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=VietnameseJSONRenderer(),
    title="Một Cửa Số API",
    version="1",
    description="API của nền tảng Một Cửa Số. Lỗi trả về dạng {code, message, fields}.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Served from django-ninja's own copy of Swagger UI (the "ninja" app's static files): works offline,
    # fits the CSP; no call to the public schema validator either.
    docs=Swagger(settings={"validatorUrl": None}),
)
errors.install(api)
api.add_router("/auth", auth.router)
api.add_router("/calendar", calendar.router)
api.add_router("/procedures", catalog.router)
api.add_router("/assistant", catalog.assistant_router)
api.add_router("", dossiers.router)
api.add_router("", dossiers.public)
api.add_router("/verify", verify.router)
api.add_router("/outreach", outreach.router)
api.add_router("/demo", demo.router)
api.add_router("/payments", payments.router)
api.add_router("/inbox", inbox.router)
api.add_router("", feedback.router)
api.add_router("/hotline", hotline.router)
api.add_router("/sms", sms.router)
api.add_router("/stats", stats.router)
