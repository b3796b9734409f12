REP = [
    "sales.view_call",
    "sales.add_call",
    "sales.view_followup",
    "sales.add_followup",
    "sales.view_customer",
    "sales.view_absence",
    "sales.add_absence",
    "sales.view_dayresult",
    "sales.view_workrecord",
    "sales.add_workrecord",
    "sales.view_weeklyplan",
    "sales.add_weeklyplan",
    "sales.view_trainingsession",
    "sales.view_ruleset",
]

SUPERVISOR = [
    *REP,
    "sales.change_followup",
    "sales.change_absence",
    "sales.reopen_dayresult",
    "sales.change_dayresult",
    "sales.add_trainingsession",
    "sales.change_trainingsession",
    "sales.view_attendance",
    "sales.change_attendance",
    "sales.import_calls",
    "sales.view_callimport",
    "sales.view_calendarday",
]

ADMINISTRATOR = [
    *SUPERVISOR,
    "sales.add_ruleset",
    "sales.change_ruleset",
    "sales.add_calendarday",
    "sales.change_calendarday",
    "sales.delete_calendarday",
]

PERMISSIONS = {
    "sales_rep": REP,
    "sales_supervisor": SUPERVISOR,
    "administrator": ADMINISTRATOR,
}
