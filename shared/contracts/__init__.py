"""Every event's shape, written once: one module per producing service, and the kit's own.

Producers build these models and ``emit`` them; consumers key their handlers by them; the event
docs (docs/events.md, docs/asyncapi.yaml) are generated from them (``make docs``).
"""

from shared.contracts import (
    approval,
    audit,
    complaints,
    disbursement,
    intake,
    kit,
    verification,
)
from shared.contracts.base import (
    ANY_SERVICE,
    EventContract,
    EventData,
    Personal,
    all_contracts,
    contract_for,
    personal_paths,
)

__all__ = ["ANY_SERVICE", "EventContract", "EventData", "Personal", "all_contracts", "approval",
           "audit", "complaints", "contract_for", "disbursement", "intake", "kit",
           "personal_paths", "verification"]
