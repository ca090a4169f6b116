"""/healthz/deliveries/: for an operator's monitor, whether escalations are being delivered.

200 when a deliveries worker looked for work within RECENT_SECONDS (or none is needed: no destination
set and nothing pending) and no delivery is overdue; 503 otherwise. The JSON says which, so an alert
can name it: no worker (dead, or never started), or deliveries overdue (a worker that cannot keep up,
or a destination no worker has the settings for).
"""

from datetime import timedelta

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import deliveries, destinations
from .delivery_worker import BEAT_SECONDS
from .models import Delivery, DeliveryWorker

RECENT_SECONDS = 6 * BEAT_SECONDS  # a worker beats every BEAT_SECONDS while it polls; an attempt may hold it longer


@never_cache
@require_GET
def deliveries_health(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    try:
        workers = list(DeliveryWorker.objects.filter(polled_at__gte=now - timedelta(days=1)).order_by("-polled_at")[:20])
        overdue = Delivery.objects.overdue(grace=deliveries.lease()).count()
        pending = Delivery.objects.filter(status=Delivery.Status.PENDING).count()
    except DatabaseError:
        return JsonResponse({"status": "database unavailable"}, status=503, headers={"Retry-After": "5"})
    last = round((now - workers[0].polled_at).total_seconds(), 1) if workers else None
    needed = bool(destinations.configured()) or pending > 0
    if needed and (last is None or last > RECENT_SECONDS):
        status = "no worker"
    elif overdue:
        status = "deliveries overdue"
    else:
        status = "ok"
    return JsonResponse({
        "status": status,
        "last_poll_seconds_ago": last,
        "overdue": overdue,
        "pending": pending,
        "destinations": destinations.configured(),
        "workers": [{"name": w.name, "queue": w.queue, "polled_seconds_ago": round((now - w.polled_at).total_seconds(), 1)}
                    for w in workers],
    }, status=200 if status == "ok" else 503)


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 while the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:  # not logged: asked every few seconds, and the run writer and worker say it once
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
