_REQUEST = ["workorders.add_workorder", "workorders.view_workorder"]
_WORK = [
    *_REQUEST,
    "workorders.change_workorder",
    "workorders.view_all_workorders",
    "workorders.dispatch_workorder",
    "workorders.execute_workorder",
]

PERMISSIONS = {
    # Anyone may request an install, move, removal or number change and follow it.
    "requester": _REQUEST,
    "sales_rep": _REQUEST,
    "sales_supervisor": _REQUEST,
    "front_desk": _REQUEST,
    "shift_leader": _REQUEST,
    "floor_manager": _REQUEST,
    "engineer": _WORK,
    "chief_engineer": _WORK,
    "administrator": [*_REQUEST, "workorders.view_all_workorders"],
}
