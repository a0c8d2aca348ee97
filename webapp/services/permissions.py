"""Who may see and do what, in one place.

Visibility of hazards (and of everything that belongs to a hazard: survey points, activities,
reports, products, EO finds, history) is one SQL condition, :func:`visibility_sql`, used by ORM
queries, tiles, exports and counts alike, so that no format can show more than another.

- admin, approver: every hazard;
- surveyor, team leader: every record of their own organisation, in any state, and the approved
  records of other organisations;
- viewer: approved records only;
- anyone limited to admin areas sees only hazards in those areas or areas below them;
- deleted hazards are hidden unless asked for (approvers restore them);
- anonymous visitors see nothing here: public outputs have their own allow-listed projection.

Objects that exist but may not be seen are reported as *not found* (404), never *forbidden*, so their
existence does not leak.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.sql.elements import TextClause

from ..errors import UserError

STAFF_ALL = ("admin", "approver")
ORG_EDITORS = ("surveyor", "team_leader")


class Forbidden(UserError):
    """The actor can see the object but may not do this to it."""

    status = 403
    code = "forbidden"


class Unauthenticated(UserError):
    status = 401
    code = "unauthenticated"


@dataclass(frozen=True)
class Actor:
    """The person (or token) acting; services take this, never a Flask request."""

    id: int | None
    role: str | None
    organisation_id: int | None
    admin_area_ids: tuple[int, ...] = field(default=())
    label: str = ""

    @classmethod
    def from_user(cls, user) -> "Actor":
        return cls(id=user.id, role=user.role, organisation_id=user.organisation_id,
                   admin_area_ids=tuple(sorted(a.id for a in user.admin_areas)), label=user.name)

    @property
    def anonymous(self) -> bool:
        return self.id is None

    def has(self, *roles: str) -> bool:
        return self.role in roles

    def scope_key(self) -> str:
        """Everything of the actor that :func:`visibility_sql` and :func:`report_visible_sql` read,
        as text: actors with the same key see exactly the same objects, so they may share cached
        tiles and ETags. (The user id is not part of it: nothing visible depends on it.)"""
        if self.anonymous or self.role is None:
            return "nobody"
        return f"{self.role}|{self.organisation_id}|{','.join(str(a) for a in sorted(self.admin_area_ids))}"


ANONYMOUS = Actor(id=None, role=None, organisation_id=None, label="anonymous")


def visibility_sql(actor: Actor, alias: str = "h", include_deleted: bool = False) -> tuple[str, dict]:
    """A SQL condition on the hazards table (as ``alias``) that is true for the hazards ``actor`` may
    see, and its bind parameters (all prefixed ``vis_``)."""
    params: dict = {}
    parts: list[str] = []
    if actor.anonymous or actor.role is None:
        return "false", params
    if not include_deleted:
        parts.append(f"{alias}.deleted_at IS NULL")
    if actor.role in STAFF_ALL:
        pass
    elif actor.role in ORG_EDITORS:
        parts.append(f"({alias}.organisation_id = :vis_org OR {alias}.record_state = 'approved')")
        params["vis_org"] = actor.organisation_id
    elif actor.role == "viewer":
        parts.append(f"{alias}.record_state = 'approved'")
    else:
        return "false", {}
    if actor.admin_area_ids:
        parts.append(
            f"{alias}.admin_area_id IN (WITH RECURSIVE vis_sub(id) AS ("
            "SELECT id FROM admin_areas WHERE id = ANY(:vis_areas) "
            "UNION SELECT a.id FROM admin_areas a JOIN vis_sub ON a.parent_id = vis_sub.id) "
            "SELECT id FROM vis_sub)")
        params["vis_areas"] = list(actor.admin_area_ids)
    return (" AND ".join(parts) or "true"), params


def hazard_visible(actor: Actor, include_deleted: bool = False) -> TextClause:
    """:func:`visibility_sql` as a clause for ``select(Hazard).where(...)``."""
    sql, params = visibility_sql(actor, alias="hazards", include_deleted=include_deleted)
    return text(sql).bindparams(**params)


def report_visible_sql(actor: Actor, alias: str = "r") -> tuple[str, dict]:
    """Reports: an organisation's own reports in any state; other organisations' only once approved
    (approvers and admins see all). Combine with the hazard's visibility."""
    if actor.anonymous:
        return "false", {}
    if actor.role in STAFF_ALL:
        return "true", {}
    if actor.role in ORG_EDITORS:
        return (f"({alias}.organisation_id = :rvis_org OR {alias}.workflow_state = 'approved')",
                {"rvis_org": actor.organisation_id})
    return f"{alias}.workflow_state = 'approved'", {}


# -- actions ----------------------------------------------------------------------------------------
def require_role(actor: Actor, *roles: str, action: str) -> None:
    if actor.anonymous:
        raise Unauthenticated("sign in first")
    if actor.role not in roles:
        raise Forbidden(f"your role ({actor.role}) may not {action}")


def can_edit_record(actor: Actor, organisation_id: int, state: str) -> bool:
    """Drafts (and rejected records back in draft) of one's own organisation."""
    return (actor.role in ORG_EDITORS and actor.organisation_id == organisation_id
            and state in ("draft", "rejected"))


def require_edit_record(actor: Actor, organisation_id: int, state: str, what: str = "record") -> None:
    if actor.anonymous:
        raise Unauthenticated("sign in first")
    if actor.role not in ORG_EDITORS and actor.role != "approver":
        raise Forbidden(f"your role ({actor.role}) may not change a {what}")
    if actor.role in ORG_EDITORS and actor.organisation_id != organisation_id:
        raise Forbidden(f"this {what} belongs to another organisation")
    if actor.role in ORG_EDITORS and state not in ("draft", "rejected"):
        raise Forbidden(f"this {what} is {state}; only drafts can be edited")


def require_submit(actor: Actor, organisation_id: int) -> None:
    require_role(actor, "team_leader", action="submit for approval")
    if actor.organisation_id != organisation_id:
        raise Forbidden("only a team leader of the owning organisation can submit it")


def require_approver(actor: Actor, action: str) -> None:
    require_role(actor, "approver", action=action)
