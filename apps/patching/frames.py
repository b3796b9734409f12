"""Reads for the frame pages: every frame with its counts, one frame's blocks with each terminal's status."""

from django.db.models import Count, Exists, OuterRef, Q

from .models import Block, Frame, JumperEnd, Terminal


def frame_overview():
    """Each frame with its terminal counts by status: one query whatever the number of frames."""
    used = Exists(JumperEnd.objects.filter(terminal=OuterRef("terminals__pk")))
    return (
        Frame.objects.select_related("building")
        .annotate(
            terminal_count=Count("terminals", distinct=True),
            faulty_count=Count("terminals", filter=Q(terminals__faulty=True), distinct=True),
            reserved_count=Count("terminals", filter=~Q(terminals__reserved_reference=""), distinct=True),
            used_count=Count("terminals", filter=Q(used), distinct=True),
        )
        .order_by("code")
    )


def frame_blocks(frame):
    """``[(block, [terminal with .status, ...]), ...]``: two queries whatever the frame's size."""
    blocks = list(Block.objects.filter(frame=frame).order_by("side", "code"))
    terminals = (
        Terminal.objects.filter(frame=frame)
        .annotate(jumpered=Exists(JumperEnd.objects.filter(terminal=OuterRef("pk"))))
        .order_by("block_id", "position")
    )
    by_block = {b.pk: [] for b in blocks}
    for t in terminals:
        if t.faulty:
            t.status = Terminal.Status.FAULTY
        elif t.reserved_reference:
            t.status = Terminal.Status.RESERVED
        elif t.jumpered:
            t.status = Terminal.Status.IN_USE
        else:
            t.status = Terminal.Status.FREE
        by_block[t.block_id].append(t)
    return [(b, by_block[b.pk]) for b in blocks]
