"""What each role may do with faults and equipment-room duty (anyone may report a fault)."""

_ENGINEER = [
    "faults.view_fault",
    "faults.change_fault",
    "faults.view_faultaction",
    "faults.add_faultaction",
    "faults.view_responsetarget",
    "faults.view_checklisttemplate",
    "faults.view_inspectionround",
    "faults.add_inspectionround",
    "faults.view_accessentry",
    "faults.add_accessentry",
    "faults.change_accessentry",
    "faults.view_document",
    "faults.add_document",
    "faults.add_documentversion",
]

PERMISSIONS = {
    "engineer": _ENGINEER,
    "chief_engineer": [
        *_ENGINEER,
        "faults.change_responsetarget",
        "faults.view_checklistitem",
        "faults.add_checklisttemplate",
        "faults.change_checklisttemplate",
        "faults.add_checklistitem",
        "faults.change_checklistitem",
        "faults.delete_checklistitem",
    ],
    "administrator": [
        "faults.view_fault",
        "faults.view_faultaction",
        "faults.view_responsetarget",
        "faults.change_responsetarget",
        "faults.view_checklisttemplate",
        "faults.add_checklisttemplate",
        "faults.change_checklisttemplate",
        "faults.view_checklistitem",
        "faults.add_checklistitem",
        "faults.change_checklistitem",
        "faults.delete_checklistitem",
        "faults.view_inspectionround",
        "faults.view_accessentry",
        "faults.view_document",
    ],
}
