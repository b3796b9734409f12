from django.urls import path

from . import views

app_name = "workorders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("new/", views.order_create, name="create"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/edit/", views.order_edit, name="edit"),
    path("<int:pk>/plan/", views.order_plan, name="plan"),
    path("<int:pk>/print/", views.order_print, name="print"),
    path("<int:pk>/submit/", views.order_submit, name="submit"),
    path("<int:pk>/assign/", views.order_assign, name="assign"),
    path("<int:pk>/return/", views.order_return, name="return"),
    path("<int:pk>/start/", views.order_start, name="start"),
    path("<int:pk>/complete/", views.order_complete, name="complete"),
    path("<int:pk>/cancel/", views.order_cancel, name="cancel"),
]
