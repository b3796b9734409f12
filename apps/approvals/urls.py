from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("", views.my_requests, name="mine"),
    path("requests/", views.request_list, name="list"),
    path("requests/export/", views.request_export, name="list_export"),
    path("queue/", views.queue, name="queue"),
    path("new/", views.request_create, name="create"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/edit/", views.request_edit, name="edit"),
    path("<int:pk>/submit/", views.request_submit, name="submit"),
    path("<int:pk>/decide/", views.request_decide, name="decide"),
    path("<int:pk>/withdraw/", views.request_withdraw, name="withdraw"),
    path("<int:pk>/implement/", views.request_implement, name="implement"),
    path("<int:pk>/verify/", views.request_verify, name="verify"),
    path("adjustments/", views.adjustment_list, name="adjustments"),
    path("adjustments/export/", views.adjustment_export, name="adjustments_export"),
    path("adjustments/new/", views.adjustment_create, name="adjustment_create"),
]
