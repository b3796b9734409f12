from django.urls import path

from . import views

app_name = "sales"

urlpatterns = [
    path("", views.my_day, name="my_day"),
    path("progress/", views.my_day_progress, name="my_day_progress"),
    path("calls/", views.call_list, name="calls"),
    path("calls/today/", views.my_day_calls, name="my_day_calls"),
    path("calls/new/", views.call_create, name="call_create"),
    path("calls/import/", views.call_import, name="call_import"),
    path("calls/import/template.xlsx", views.call_import_template, name="call_import_template"),
    path("follow-ups/", views.follow_up_list, name="follow_ups"),
    path("follow-ups/new/", views.follow_up_create, name="follow_up_create"),
    path("follow-ups/<int:pk>/false/", views.follow_up_mark_false, name="follow_up_mark_false"),
    path("absences/", views.absence_list, name="absences"),
    path("absences/<int:pk>/decide/", views.absence_decide, name="absence_decide"),
    path("approvals/", views.approvals, name="approvals"),
    path("board/", views.board, name="board"),
    path("board/rows/", views.board_rows, name="board_rows"),
    path("days/<int:pk>/reopen/", views.day_reopen, name="day_reopen"),
    path("days/<int:pk>/close/", views.day_close, name="day_close"),
    path("work-records/", views.work_records, name="work_records"),
    path("weekly-plans/", views.weekly_plans, name="weekly_plans"),
    path("trainings/", views.trainings, name="trainings"),
    path("trainings/new/", views.training_create, name="training_create"),
    path("trainings/<int:pk>/", views.training_detail, name="training_detail"),
    path("rules/", views.rules, name="rules"),
    path("statement/", views.statement, name="statement"),
    path("statement.xlsx", views.statement_excel, name="statement_excel"),
]
