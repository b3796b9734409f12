from django.urls import path

from . import views

app_name = "faults"

urlpatterns = [
    path("", views.fault_list, name="list"),
    path("report/", views.fault_report, name="report"),
    path("item/", views.fault_item_history, name="item_history"),
    path("statistics/", views.fault_statistics, name="statistics"),
    path("statistics/export/", views.fault_export, name="export"),
    path("targets/", views.response_targets, name="targets"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/new/<int:template_pk>/", views.inspection_record, name="round_record"),
    path("inspections/<int:pk>/", views.inspection_detail, name="round_detail"),
    path("checklists/", views.checklist_list, name="checklists"),
    path("checklists/<int:pk>/", views.checklist_detail, name="checklist_detail"),
    path("access/", views.access_log, name="access_log"),
    path("access/export/", views.access_export, name="access_export"),
    path("access/<int:pk>/out/", views.access_sign_out, name="access_sign_out"),
    path("documents/", views.document_list, name="documents"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/file/<int:pk>/", views.document_download, name="document_download"),
    path("<str:number>/", views.fault_detail, name="detail"),
    path("<str:number>/<slug:transition>/", views.fault_transition, name="transition"),
]
