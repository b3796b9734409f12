"""Who may do what with the patch table."""

VIEW = [
    "patching.view_building",
    "patching.view_frame",
    "patching.view_terminal",
    "patching.view_pbxport",
    "patching.view_cablepair",
    "patching.view_outlet",
    "patching.view_extension",
    "patching.view_jumper",
    "patching.view_patchevent",
]
CHANGE = [
    "patching.add_jumper",
    "patching.delete_jumper",
    "patching.change_terminal",
    "patching.add_extension",
    "patching.change_extension",
    "patching.delete_extension",
]
MASTER = [
    "patching.add_building",
    "patching.change_building",
    "patching.add_frame",
    "patching.change_frame",
    "patching.add_block",
    "patching.add_cable",
    "patching.add_outlet",
    "patching.add_pbxport",
    "patching.view_departmentsubscription",
    "patching.add_departmentsubscription",
    "patching.delete_departmentsubscription",
]

PERMISSIONS = {
    "engineer": VIEW + CHANGE + ["patching.view_departmentsubscription"],
    "chief_engineer": VIEW + CHANGE + MASTER,
    "administrator": VIEW + CHANGE + MASTER,
    "requester": ["patching.view_extension"],
}
