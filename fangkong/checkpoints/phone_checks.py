"""The messages of the checks the phone runs on a record made offline
(``static/checkpoints/phone-checks.js``): the server's own messages, in the user's
language, so that a queued record rarely fails on arrival and, when the phone catches a
mistake, it says it exactly as the server would."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangkong.checkpoints.validation import TEMPERATURE_MAX, TEMPERATURE_MIN
from fangkong.lib.identity import PLATE_PROVINCES


def messages() -> str:
    """JSON for the ``data-phone-checks`` attribute of the page."""
    return json.dumps({
        "temperature": {
            "min": str(TEMPERATURE_MIN), "max": str(TEMPERATURE_MAX),
            "required": _("Enter the body temperature."),
            "number": _("Enter the temperature as a number, such as 36.5."),
            "range": _("A body temperature is between %(min)s and %(max)s °C; please measure "
                       "again.") % {"min": TEMPERATURE_MIN, "max": TEMPERATURE_MAX},
            "decimal": _("Give the temperature with one decimal, such as 36.5."),
        },
        "id_number": {
            "empty": _("Please enter the ID card number."),
            "legacy": _("15-digit legacy ID numbers are not accepted; please enter the "
                        "18-digit number."),
            # The count goes in on the phone: "%(count)d" stays in the text.
            "length_one": ngettext("An ID card number has 18 characters; %(count)d was "
                                   "entered.", "An ID card number has 18 characters; "
                                   "%(count)d were entered.", 1),
            "length_many": ngettext("An ID card number has 18 characters; %(count)d was "
                                    "entered.", "An ID card number has 18 characters; "
                                    "%(count)d were entered.", 2),
            "format": _("An ID card number contains only digits, with X allowed as the last "
                        "character."),
            "checksum": _("The ID card number's check character does not match; please "
                          "check for typos."),
        },
        "plate": {
            "provinces": PLATE_PROVINCES,
            "province": _("A plate number starts with a province abbreviation; “%(char)s” is "
                          "not one."),
            "letter": _("The second character of a plate number is a letter A-Z."),
            "io": _("Plate numbers do not use the letters I and O; did you mean 1 or 0?"),
        },
    }, ensure_ascii=False)
