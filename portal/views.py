from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # the point of a health check is to answer anyway
        database = "error"
    status = 200 if database == "ok" else 503
    return JsonResponse({"status": "ok" if status == 200 else "error", "database": database}, status=status)


def home(request):
    user = request.user
    if not user.is_authenticated:
        return render(request, "home.html")
    if user.role in EXPORTER_ROLES or user.role == Role.PROVINCIAL_OFFICER or user.role in MINISTRY_ROLES:
        return redirect("case-list")
    if user.is_superuser or user.role == Role.SYSTEM_ADMIN:
        return redirect("admin:index")
    return render(request, "home.html")
