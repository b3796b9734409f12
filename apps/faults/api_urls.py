from django.urls import path

from . import api

urlpatterns = [
    path("", api.FaultListCreate.as_view(), name="faults-api-list"),
    path("inspections/", api.InspectionListCreate.as_view(), name="faults-api-inspections"),
    path("inspections/<int:pk>/", api.InspectionDetail.as_view(), name="faults-api-inspection"),
    path("access-log/", api.AccessLogListCreate.as_view(), name="faults-api-access-log"),
    path("access-log/<int:pk>/sign-out/", api.AccessSignOut.as_view(), name="faults-api-access-sign-out"),
    path("<str:number>/", api.FaultDetail.as_view(), name="faults-api-detail"),
    path("<str:number>/actions/", api.FaultActions.as_view(), name="faults-api-actions"),
    path("<str:number>/<slug:transition>/", api.FaultTransition.as_view(), name="faults-api-transition"),
]
