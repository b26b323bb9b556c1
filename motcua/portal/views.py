from django.shortcuts import render

from motcua.places.models import Office


def home(request):
    offices = Office.objects.filter(is_active=True).select_related("unit")[:6]
    return render(request, "portal/home.html", {"offices": offices})
