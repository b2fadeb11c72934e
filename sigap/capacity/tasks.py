"""The Kapasitas page's runs, in the worker. Tasks take primary keys."""

from datetime import timedelta

from django.utils import timezone
from huey.contrib.djhuey import db_task

from sigap.capacity import demand, scenario, services
from sigap.capacity.models import CapacityRun


@db_task()
def run_capacity(run_id: int) -> None:
    """Run a stored scenario and keep its progress and answers on the row."""
    run = CapacityRun.objects.select_related("city").get(pk=run_id)
    if run.status != CapacityRun.Status.QUEUED:
        return  # already taken (a retried or doubled message)
    if not CapacityRun.objects.filter(pk=run_id, status=CapacityRun.Status.QUEUED).update(
            status=CapacityRun.Status.RUNNING):
        return
    last = [0.0]

    def progress(fraction: float) -> None:
        if fraction - last[0] >= 0.02 or fraction >= 1:
            last[0] = fraction
            CapacityRun.objects.filter(pk=run_id).update(progress=round(fraction * 0.999, 3))

    try:
        scen = scenario.parse(run.scenario)
        share = 0.3 if run.search else 1.0  # the search takes most of the time
        source = services.Source()
        if run.replay:  # the city's last 365 days as recorded, up to its last event
            until = demand.record_end(run.city, timezone.now())
            source = services.Source(since=until - timedelta(days=365), until=until)
        result = services.run(run.city, scen, replications=run.replications, source=source,
                              progress=lambda f: progress(f * share))
        if run.search:
            result["search"] = services.search(
                run.city, scen, replications=run.replications, processes=1, source=source,
                progress=lambda f: progress(share + f * (1 - share)))
    except Exception as exc:  # the page shows what went wrong, the worker keeps going
        CapacityRun.objects.filter(pk=run_id).update(
            status=CapacityRun.Status.FAILED, error=str(exc)[:2000],
            finished_at=timezone.now())
        raise
    CapacityRun.objects.filter(pk=run_id).update(
        status=CapacityRun.Status.DONE, progress=1.0, result=services.json_safe(result),
        finished_at=timezone.now())
