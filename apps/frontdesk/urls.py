from django.urls import path

from . import views

app_name = "frontdesk"

urlpatterns = [
    path("", views.call_new, name="call_new"),
    path("calls/", views.call_list, name="call_list"),
    path("calls/export/", views.call_export, name="call_export"),
    path("callbacks/", views.callback_list, name="callback_list"),
    path("callbacks/<int:pk>/done/", views.callback_done, name="callback_done"),
    path("use-requests/", views.use_request_list, name="use_request_list"),
    path("use-requests/new/", views.use_request_new, name="use_request_new"),
    path("use-requests/<int:pk>/decide/", views.use_request_decide, name="use_request_decide"),
    path("lines/", views.line_list, name="line_list"),
    path("lines/new/", views.line_new, name="line_new"),
    path("lines/<int:pk>/", views.line_edit, name="line_edit"),
    path("figures/", views.figures, name="figures"),
    path("figures/export/", views.figures_export, name="figures_export"),
]
