"""What each role may do with the front-desk phone."""

_ANSWERER = [
    "frontdesk.view_line",
    "frontdesk.view_call",
    "frontdesk.add_call",
    "frontdesk.view_callback",
    "frontdesk.change_callback",
    "frontdesk.add_userequest",
]
# Every employee may ask for personal use of a phone and see their own requests.
_EMPLOYEE = ["frontdesk.add_userequest"]

PERMISSIONS = {
    "engineer": _EMPLOYEE,
    "chief_engineer": _EMPLOYEE,
    "requester": _EMPLOYEE,
    "sales_rep": _EMPLOYEE,
    "sales_supervisor": _EMPLOYEE,
    "front_desk": _ANSWERER,
    "shift_leader": [*_ANSWERER, "frontdesk.view_userequest", "frontdesk.view_figures"],
    "floor_manager": [
        *_ANSWERER,
        "frontdesk.view_userequest",
        "frontdesk.decide_userequest",
        "frontdesk.view_figures",
    ],
    "administrator": [
        "frontdesk.view_line",
        "frontdesk.add_line",
        "frontdesk.change_line",
        "frontdesk.view_call",
        "frontdesk.view_callback",
        "frontdesk.view_userequest",
        "frontdesk.view_figures",
        "frontdesk.add_userequest",
    ],
}
