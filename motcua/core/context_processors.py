from django.conf import settings


def site(request):
    return {"DEMO": settings.DEMO, "SITE_URL": settings.SITE_URL}
