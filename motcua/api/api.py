from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from . import errors
from .routers import auth, calendar, catalog, dossiers, outreach, verify


class VietnameseJSONRenderer(JSONRenderer):
    """UTF-8 as is: messages read "Không tìm thấy", not "Kh\\u00f4ng"."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=VietnameseJSONRenderer(),
    title="Một Cửa Số API",
    version="1",
    description="API của nền tảng Một Cửa Số. Lỗi trả về dạng {code, message, fields}.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
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
