from django.urls import path

from . import views

app_name = "patching"

urlpatterns = [
    path("", views.table, name="table"),
    path("export/", views.table_export_view, name="export"),
    path("print/", views.table_print, name="print"),
    path("diff/", views.table_diff, name="diff"),
    path("jumpers/", views.jumpers, name="jumpers"),
    path("trace/", views.trace, name="trace"),
    path("history/", views.history, name="history"),
    path("frames/", views.frame_list, name="frames"),
    path("frames/<str:code>/", views.frame_detail, name="frame"),
    path("frames/<str:code>/rename/", views.frame_rename, name="frame_rename"),
    path("faulty/", views.faulty, name="faulty"),
    path("reservations/", views.reservations, name="reservations"),
    path("checks/", views.checks, name="checks"),
    path("import/", views.import_view, name="import"),
    path("extensions/new/", views.extension_edit, name="extension_new"),
    path("extensions/<str:number>/", views.extension_edit, name="extension_edit"),
    path("subscriptions/", views.subscriptions, name="subscriptions"),
    path("search/<slug:kind>/", views.search, name="search"),
]
