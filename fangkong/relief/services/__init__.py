"""Relief's services: every write authorises its actor and is audited."""

from fangkong.relief.services.registry import (  # noqa: F401
    add_loan,
    add_member,
    add_worker,
    clean_account,
    household_version,
    lead_household,
    record_work_away,
    register_entity,
    register_household,
    removal_refusal,
    remove_household,
    remove_member,
    set_resumed,
    update_entity,
    update_household,
    update_member,
)
from fangkong.relief.services.workflow import (  # noqa: F401
    accept,
    apply,
    build_payment_batch,
    facts_for,
    freeze,
    pay,
    payable,
    reject,
    settle,
)
