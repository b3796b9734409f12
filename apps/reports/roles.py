"""What each role may do with reports. Running and downloading a kind also needs that kind's
own permissions (declared with the kind), so people see only the reports of their work."""

CENTRE = ["reports.view_reportrun"]

PERMISSIONS = {
    "engineer": CENTRE,
    "chief_engineer": CENTRE,
    "sales_supervisor": CENTRE,
    "shift_leader": CENTRE,
    "floor_manager": CENTRE,
    "administrator": [
        *CENTRE,
        "reports.view_reportschedule",
        "reports.add_reportschedule",
        "reports.change_reportschedule",
        "reports.delete_reportschedule",
        "auditlog.view_logentry",
    ],
}
