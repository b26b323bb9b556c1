from django.conf import settings


def site(request):
    return {
        "DEMO": settings.DEMO,
        "SITE_URL": settings.SITE_URL,
        "VNEID_LOGIN": bool(settings.VNEID_ISSUER and settings.VNEID_CLIENT_ID),
    }
