from django.urls import path

from . import api

urlpatterns = [
    path("kinds/", api.KindList.as_view(), name="reports-kinds"),
    path("runs/", api.RunList.as_view(), name="reports-runs"),
    path("runs/<int:pk>/", api.RunDetail.as_view(), name="reports-run"),
    path("runs/<int:pk>/download/", api.RunDownload.as_view(), name="reports-run-download"),
]
