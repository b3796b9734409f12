from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from apps.accounts import api as accounts_api
from apps.core import views as core_views

api_patterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("auth/token/", obtain_auth_token, name="token"),
    path("me/", accounts_api.me, name="me"),
    path("patching/", include("apps.patching.api_urls")),
    path("workorders/", include("apps.workorders.api_urls")),
    path("approvals/", include("apps.approvals.api_urls")),
    path("faults/", include("apps.faults.api_urls")),
    path("frontdesk/", include("apps.frontdesk.api_urls")),
    path("sales/", include("apps.sales.api_urls")),
    path("reports/", include("apps.reports.api_urls")),
]

urlpatterns = [
    path("", include("apps.core.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("patching/", include("apps.patching.urls")),
    path("workorders/", include("apps.workorders.urls")),
    path("approvals/", include("apps.approvals.urls")),
    path("faults/", include("apps.faults.urls")),
    path("frontdesk/", include("apps.frontdesk.urls")),
    path("sales/", include("apps.sales.urls")),
    path("reports/", include("apps.reports.urls")),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("healthz", core_views.healthz, name="healthz"),
]

handler403 = "apps.core.views.error_403"
handler404 = "apps.core.views.error_404"
handler500 = "apps.core.views.error_500"
