from django.shortcuts import get_object_or_404, render

from sigap.reports.models import Report


def home(request):
    return render(request, "citizen/home.html")


def track(request, ticket):
    report = get_object_or_404(Report.objects.for_list(), ticket=ticket)
    return render(request, "citizen/track.html", {"report": report})
