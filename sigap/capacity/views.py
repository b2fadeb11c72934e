"""The Kapasitas page: the city administrator runs a scenario in the worker and reads it."""

from __future__ import annotations

from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sigap.capacity import charts, scenario as scenarios, tasks
from sigap.capacity.models import CapacityRun
from sigap.cities.middleware import office_city


def admin_required(view):
    """Only the city administrator (visitors get the sign-in page, others 403)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_city_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _default_scenario(city) -> str:
    path = Path(settings.BASE_DIR) / "data" / city.code / "capacity.toml"
    return path.read_text(encoding="utf-8") if path.exists() else ""


@admin_required
@require_http_methods(["GET", "POST"])
def index(request):
    city = office_city(request)
    error = ""
    text = _default_scenario(city) if city else ""
    replications = 3
    if request.method == "POST" and city is not None:
        text = request.POST.get("scenario", "")
        try:
            replications = max(1, min(10, int(request.POST.get("replications", "3"))))
        except ValueError:
            replications = 3
        try:
            parsed = scenarios.parse(text)
        except scenarios.ScenarioError as exc:
            error = str(exc)
        else:
            run = CapacityRun.objects.create(
                city=city, name=parsed.name[:160], scenario=text, replications=replications,
                search=request.POST.get("search") == "1",
                replay=request.POST.get("replay") == "1", created_by=request.user,
                created_at=timezone.now())
            tasks.run_capacity(run.pk)
            return redirect("capacity:run", pk=run.pk)
    runs = CapacityRun.objects.filter(city=city).defer("result", "scenario")[:20]
    return render(request, "capacity/index.html", {
        "runs": runs, "scenario_text": text, "error": error, "replications": replications,
        "choices": (1, 2, 3, 5), "city": city}, status=400 if error else 200)


def _context(run: CapacityRun) -> dict:
    data = run.result or {}
    agencies = data.get("agencies", {})
    ctx = {"run": run, "data": data, "agencies": agencies}
    if not agencies:
        return ctx
    drawn = charts.for_summary(data)
    ctx.update(compliance_chart=drawn["compliance"], backlog_chart=drawn["backlog"],
               ttf_chart=drawn["ttf"], categories=sorted(data.get("categories", {}).items()),
               search=data.get("search"))
    return ctx


@admin_required
def run_detail(request, pk: int):
    run = get_object_or_404(CapacityRun, pk=pk)
    return render(request, "capacity/run.html", _context(run))


@admin_required
def run_print(request, pk: int):
    run = get_object_or_404(CapacityRun, pk=pk, status=CapacityRun.Status.DONE)
    return render(request, "capacity/print.html", _context(run))


@admin_required
def run_status(request, pk: int):
    run = get_object_or_404(CapacityRun.objects.defer("result", "scenario"), pk=pk)
    return JsonResponse({"status": run.status, "label": run.get_status_display(),
                         "progress": run.progress, "finished": run.is_finished,
                         "error": run.error})
