"""Demo data: building A with a main frame, floor frames, a PBX, cables, outlets and about 200 extensions."""

from apps.accounts.models import Department, User

from .campus import Shape, build
from .models import Building, DepartmentSubscription


def seed(*, stdout) -> None:
    if Building.objects.filter(code="A").exists():
        return
    departments = list(Department.objects.all())
    actor = User.objects.filter(username="engineer").first()
    counts = build(
        shape=Shape(
            buildings=1,
            floors=4,
            rooms_per_floor=16,
            outlets_per_room=4,
            extensions_per_floor=50,
            history=2000,
        ),
        seed=7,
        departments=departments,
        actor=actor,
    )
    for dept in departments[:2]:
        DepartmentSubscription.objects.get_or_create(department=dept, defaults={"created_by": actor})
    stdout.write(
        "Patch table: {extensions} extensions, {jumpers} jumpers, {outlets} outlets, {history} history entries".format(
            **counts
        )
    )
