from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .registry import cards_for
from .selectors import notification_list
from .services import notification_mark_read


@login_required
def home(request):
    """The person's day: every card their roles contribute."""
    return render(request, "core/home.html", {"cards": cards_for(request)})


@login_required
def notifications(request):
    page = Paginator(notification_list(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page_obj": page})


@login_required
@require_POST
def notifications_read(request):
    ids = request.POST.getlist("id") or None
    notification_mark_read(user=request.user, notification_ids=ids)
    return redirect(request.POST.get("next") or "core:notifications")


@never_cache
def healthz(request):
    """Report whether the database and, when configured, the broker answer."""
    checks = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = f"error: {exc.__class__.__name__}"
        healthy = False
    if settings.REDIS_URL:
        try:
            from telroom.celery import app

            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["broker"] = f"error: {exc.__class__.__name__}"
            healthy = False
    else:
        checks["broker"] = "in-process"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_500(request):
    return render(request, "500.html", status=500)
