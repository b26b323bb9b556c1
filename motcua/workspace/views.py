from django.shortcuts import render

from motcua.accounts.selectors import grants_of

from .decorators import officer_required


@officer_required
def home(request):
    return render(request, "workspace/home.html", {"grants": grants_of(user=request.user)})
