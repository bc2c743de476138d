"""The water-quality indicators a reading may carry: unit, physical range, whether "not
detected" is a possible result. Kept free of models (the API's choices and the rules'
validators read it).

The physical range is not a limit: it says what an instrument can show at all (pH 0–14,
a turbidity of 4000 NTU is mud). A value outside it is a typing or unit mistake and is
refused; a value inside it is judged against the dated limit (``water.rules``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Ind(models.TextChoices):
    TURBIDITY = "turbidity", _("Turbidity")
    COLOUR = "colour", _("Colour")
    PH = "ph", _("pH")
    FREE_CHLORINE = "free_chlorine", _("Free chlorine")
    TOTAL_CHLORINE = "total_chlorine", _("Total chlorine (chloramine)")
    COLIFORMS = "coliforms", _("Total coliforms")
    E_COLI = "e_coli", _("E. coli")
    COLONY_COUNT = "colony_count", _("Colony count")
    AMMONIA = "ammonia", _("Ammonia (as N)")
    PERMANGANATE = "permanganate", _("Permanganate index (as O2)")
    PRESSURE = "pressure", _("Pressure")
    FLOW = "flow", _("Flow")


@dataclass(frozen=True)
class Spec:
    code: str
    unit: str
    low: Decimal
    high: Decimal
    not_detected: bool  # "not detected" is a possible result
    places: int
    #: Other spellings of the unit accepted from a client (compared case-insensitively).
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return str(Ind(self.code).label)

    def unit_ok(self, unit: str) -> bool:
        given = (unit or "").strip().replace(" ", "").lower()
        return not given or given in {self.unit.lower(), *(a.lower() for a in self.aliases)}


D = Decimal
SPECS: dict[str, Spec] = {s.code: s for s in (
    Spec(Ind.TURBIDITY, "NTU", D(0), D(4000), False, 2, ("ntu", "fnu")),
    Spec(Ind.COLOUR, "度", D(0), D(500), True, 0, ("pcu", "pt-co", "铂钴色度单位")),
    Spec(Ind.PH, "", D(0), D(14), False, 2, ("ph", "无量纲")),
    Spec(Ind.FREE_CHLORINE, "mg/L", D(0), D(20), True, 2),
    Spec(Ind.TOTAL_CHLORINE, "mg/L", D(0), D(20), True, 2),
    Spec(Ind.COLIFORMS, "MPN/100mL", D(0), D(100000), True, 0, ("cfu/100ml",)),
    Spec(Ind.E_COLI, "MPN/100mL", D(0), D(100000), True, 0, ("cfu/100ml",)),
    Spec(Ind.COLONY_COUNT, "CFU/mL", D(0), D(10000000), True, 0),
    Spec(Ind.AMMONIA, "mg/L", D(0), D(1000), True, 3),
    Spec(Ind.PERMANGANATE, "mg/L", D(0), D(1000), True, 2),
    Spec(Ind.PRESSURE, "MPa", D(0), D("2.5"), False, 3),
    Spec(Ind.FLOW, "m³/h", D(0), D(100000), False, 1, ("m3/h",)),
)}

#: The supply's figures (the pumps' and the network's), not the water's quality: judged by
#: their own rules (``water.limit.pressure``) and counted apart from the quality figures.
HYDRAULIC = frozenset({Ind.PRESSURE, Ind.FLOW})
#: Measured at a station's outlet only (the pump's figures, not a water sample).
STATION_ONLY = frozenset({Ind.FLOW})
#: Indicators the monthly bulletin publishes (the water's quality, not the pumps').
BULLETIN = (Ind.TURBIDITY, Ind.COLOUR, Ind.PH, Ind.FREE_CHLORINE, Ind.COLIFORMS, Ind.E_COLI,
            Ind.COLONY_COUNT, Ind.AMMONIA, Ind.PERMANGANATE)
NOT_DETECTED = "not_detected"


def spec(code: str) -> Spec:
    return SPECS[code]
