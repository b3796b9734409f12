from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("run/<slug:code>/", views.run_create, name="run_create"),
    path("runs/<int:pk>/", views.run_status, name="run_status"),
    path("runs/<int:pk>/download/", views.download, name="download"),
    path("runs/<int:pk>/retry/", views.run_retry, name="run_retry"),
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/new/", views.schedule_create, name="schedule_create"),
    path("schedules/<int:pk>/", views.schedule_edit, name="schedule_edit"),
    path("schedules/<int:pk>/delete/", views.schedule_delete, name="schedule_delete"),
]
