"""What each role may do with function changes and adjustment records.

Object rules come on top (in services): only the requester edits, submits or
verifies their own request (the chief engineer may verify any), and nobody decides
their own request.
"""

ENGINEER = [
    "approvals.view_functionchange",
    "approvals.add_functionchange",
    "approvals.implement_functionchange",
    "approvals.view_adjustmentrecord",
    "approvals.add_adjustmentrecord",
]

PERMISSIONS = {
    "engineer": ENGINEER,
    "chief_engineer": [
        *ENGINEER,
        "approvals.approve_functionchange",
        "approvals.verify_functionchange",
    ],
    "administrator": [
        "approvals.view_functionchange",
        "approvals.view_adjustmentrecord",
    ],
}
