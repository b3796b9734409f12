"""A small patch table built through the services: one main frame, one floor frame, a PBX."""

from apps.accounts.models import Role
from apps.patching import services
from apps.patching.models import Block, Cable, Frame
from tests.factories import DepartmentFactory, UserFactory


def engineer(username="eng", name="王工"):
    return UserFactory(username=username, name=name, roles=[Role.ENGINEER])


class Plant:
    """MDF-1 (H01 equipment ← PBX-1, V01 line → riser R-01 → IDF-A01/V01), IDF-A01/H01 → H-A01 → outlets."""

    def __init__(self, *, size=30, actor=None):
        self.actor = actor or engineer()
        b = services.building_get_or_create(code="A")
        room = services.room_get_or_create(building=b, number="1203")
        self.room = room
        mdf = services.frame_create(code="MDF-1", building=b)
        idf = services.frame_create(code="IDF-A01", kind=Frame.Kind.FLOOR, building=b)
        self.h01 = services.block_create(frame=mdf, code="H01", side=Block.Side.EQUIPMENT, size=size)
        self.v01 = services.block_create(frame=mdf, code="V01", side=Block.Side.LINE, size=size)
        self.iv = services.block_create(frame=idf, code="V01", side=Block.Side.LINE, size=size)
        self.ih = services.block_create(frame=idf, code="H01", side=Block.Side.LINE, size=size)
        pbx = services.pbx_create(code="PBX-1")
        self.ports = services.pbx_ports_create(pbx=pbx, shelf=1, slot=2, ports=size, block=self.h01)
        riser = services.cable_create(code="R-01", pair_count=size)
        services.cable_pairs_wire(
            cable=riser, first_pair=1, last_pair=size, near_block=self.v01, far_block=self.iv
        )
        self.outlets = [services.outlet_get_or_create(designation=f"A-1203-{n}") for n in range(1, size + 1)]
        horiz = services.cable_create(code="H-A01", pair_count=size, kind=Cable.Kind.HORIZONTAL)
        services.cable_pairs_wire(
            cable=horiz, first_pair=1, last_pair=size, near_block=self.ih, outlets=self.outlets
        )
        self.department = DepartmentFactory(code="it", name="信息技术部")
        self.count = 0

    def add_phone(self, n=None, *, user_name="张三"):
        """Extension 80nn on port n, jumpered all the way to outlet A-1203-n."""
        self.count += 1
        n = n or self.count
        ext = services.extension_assign(
            number=f"80{n:02d}",
            user_name=user_name,
            department=self.department,
            port=f"PBX-1/1-02-{n:02d}",
            outlet=f"A-1203-{n}",
            actor=self.actor,
            reason="装机",
        )
        services.jumper_connect(
            terminal_a=f"MDF-1/H01/{n:02d}", terminal_b=f"MDF-1/V01/{n:02d}", actor=self.actor, reason="装机"
        )
        services.jumper_connect(
            terminal_a=f"IDF-A01/V01/{n:02d}",
            terminal_b=f"IDF-A01/H01/{n:02d}",
            actor=self.actor,
            reason="装机",
        )
        return ext

    def add_phones(self, k):
        for _ in range(k):
            self.add_phone()
