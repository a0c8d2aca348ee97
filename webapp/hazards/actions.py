"""Which workflow buttons a person sees, from the same rules the services enforce
(:mod:`webapp.services.permissions`). A hidden button is a convenience, not the check: the API
refuses what the services refuse."""
from __future__ import annotations

from ..services import permissions as perm


def hazard_actions(actor: perm.Actor, hazard) -> dict[str, bool]:
    deleted = hazard.deleted_at is not None
    own = actor.organisation_id == hazard.organisation_id
    state = hazard.record_state
    approver = actor.role == "approver"
    can_edit = not deleted and perm.can_edit_record(actor, hazard.organisation_id, state)
    return {
        "edit": can_edit,
        "submit": not deleted and actor.role == "team_leader" and own and state in ("draft", "rejected"),
        "approve": not deleted and approver and state == "submitted",
        "reject": not deleted and approver and state == "submitted",
        "delete": not deleted and (approver or can_edit),
        "restore": deleted and approver,
        "report": (not deleted and actor.role in perm.ORG_EDITORS and state == "approved"
                   and hazard.status not in ("closed", "handed_over")),
    }


def report_actions(actor: perm.Actor, report: dict) -> dict[str, bool]:
    state = report["workflow_state"]
    approver = actor.role == "approver"
    return {
        "submit": (actor.role == "team_leader" and actor.organisation_id == report["organisation_id"]
                   and state in ("draft", "rejected")),
        "approve": approver and state == "submitted",
        "reject": approver and state == "submitted",
        "unapprove": approver and state == "approved",
    }


def can_record(actor: perm.Actor) -> bool:
    return actor.role in perm.ORG_EDITORS
