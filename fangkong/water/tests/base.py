from __future__ import annotations

from fangkong.core.models import Organisation, Role
from fangkong.core.testing import FangkongTestCase, make_user
from fangkong.water import services


class WaterTestCase(FangkongTestCase):
    """Two utilities: the operator of the first must never see the second's records."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.utility = Organisation.objects.create(code="swater", name="安康水务集团",
                                                  kind="utility", org_unit=cls.city)
        cls.other_utility = Organisation.objects.create(code="zywater", name="紫阳县供水公司",
                                                        kind="utility", org_unit=cls.county_b_unit)
        cls.operator = make_user("shuiwu01", Role.UTILITY_OPERATOR, cls.city,
                                 organisation=cls.utility, first_name="何建平")
        cls.other_operator = make_user("zyshui", Role.UTILITY_OPERATOR, cls.county_b_unit,
                                       organisation=cls.other_utility)
        cls.works, _ = services.save_station(cls.operator, cls.utility, cls.community_a_unit,
                                             name="马坑水厂", kind="works")
        cls.outlet, _ = services.save_point(cls.operator, cls.works, cls.community_a_unit,
                                            name="马坑水厂出厂水", point_type="outlet")
        cls.end, _ = services.save_point(cls.operator, cls.works, cls.community_a2_unit,
                                         name="中心医院末梢水", point_type="network_end",
                                         near_kind="hospital", near_name="安康市中心医院")
        cls.other_works, _ = services.save_station(
            cls.other_operator, cls.other_utility, cls.community_b_unit, name="紫阳水厂",
            kind="works")
        cls.other_point, _ = services.save_point(
            cls.other_operator, cls.other_works, cls.community_b_unit, name="紫阳水厂出厂水",
            point_type="outlet")
