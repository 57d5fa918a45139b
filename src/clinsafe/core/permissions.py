"""Who may do what: the one policy table that views, the API and the CLI all consult."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from clinsafe.core.models import Membership, Organisation, Role


class Action(StrEnum):
    MANAGE_MEMBERS = "manage members and roles"
    APPOINT_CSO = "appoint a Clinical Safety Officer"
    RECORD_CREDENTIALS = "record another person's registration or training"
    EDIT_PRODUCT = "edit the product record"
    CREATE_HAZARD = "raise a hazard"
    EDIT_HAZARD = "edit a hazard"
    CHANGE_HAZARD_STATUS = "change a hazard's status"
    WITHDRAW_HAZARD = "withdraw a hazard"
    ASSESS_RISK = "assess risk"
    ADD_CONTROL = "add a control"
    EDIT_CONTROL = "edit a control"
    LINK_CONTROL = "link a control to a hazard"
    WITHDRAW_CONTROL = "withdraw a control"
    SET_ACCEPTANCE_POLICY = "set who may accept each residual risk rating"
    REVIEW_PROCESS = "record a review of the clinical risk management process"
    EDIT_RELEASE = "plan or edit a release"
    RECORD_RELEASE = "record a release as released"
    REVIEW_HAZARD = "record a CSO review of a hazard"
    ACCEPT_RISK_AS_CSO = "accept a residual risk as Clinical Safety Officer"
    ACCEPT_RISK_AS_EXECUTIVE = "accept a residual risk as accountable executive"
    SIGN_OFF_RELEASE = "sign off a release"
    BLOCK_RELEASE = "block or unblock a release"
    OVERRIDE_RELEASE = "override the release gate"
    EDIT_ARGUMENT = "build the safety argument"
    SETTLE_DOUBT = "decide whether a doubt in the safety argument holds"
    PUT_FORWARD_ARGUMENT = "put the safety argument forward for a release"
    RECORD_EVIDENCE = "record evidence artefacts"
    REVIEW_EVIDENCE = "review an evidence artefact"
    ASSESS_COMPLIANCE = "assess and sign a release's DCB0129 compliance"
    APPROVE_PLAN = "approve the Clinical Risk Management Plan"
    IMPORT_HAZARD_LOG = "import a hazard log from a spreadsheet"
    IMPORT_SUPPLIER_BUNDLE = "import a supplier's safety bundle"
    REPORT_INCIDENT = "report a safety incident"
    TRIAGE_INCIDENT = "triage a safety incident"
    INVESTIGATE_INCIDENT = "record an incident's investigation and actions"
    CLOSE_INCIDENT = "close a safety incident"
    PROPOSE_CHANGE = "propose a change"
    ASSESS_CHANGE = "assess a change's safety impact"
    RECORD_DEPLOYMENT = "record a deployment"
    DECIDE_TRANSFER = "accept or reject a control transferred by the supplier"
    REVIEW_ASSURANCE = "review a supplier's assurance evidence"
    ADOPT_BUNDLE = "move a deployment onto a newer supplier bundle"
    ACCEPT_DEPLOYMENT_RISKS = "accept a deployment's residual risks as accountable executive"
    RECORD_IN_USE_REVIEW = "record an in-use review of a deployment"
    DECOMMISSION_DEPLOYMENT = "decommission a deployment"
    FORWARD_INCIDENT = "forward an incident to the supplier"


_CLINICAL = frozenset({Role.CSO, Role.DEPUTY_CSO, Role.REVIEWER})
_CONTRIBUTORS = _CLINICAL | {Role.ENGINEER}
# The role alone is not enough for these: services also require a CSO appointment in force.
_CSOS = frozenset({Role.CSO, Role.DEPUTY_CSO})
_RELEASERS = frozenset({Role.CSO, Role.DEPUTY_CSO, Role.ENGINEER, Role.ADMIN})

# Engineers propose hazards and controls and record evidence; only clinicians judge risk.
POLICY: dict[Action, frozenset[str]] = {
    Action.MANAGE_MEMBERS: frozenset({Role.ADMIN}),
    Action.APPOINT_CSO: frozenset({Role.ADMIN, Role.EXECUTIVE}),
    Action.RECORD_CREDENTIALS: frozenset({Role.ADMIN}),
    Action.EDIT_PRODUCT: frozenset({Role.CSO, Role.DEPUTY_CSO, Role.ADMIN}),
    Action.CREATE_HAZARD: _CONTRIBUTORS,
    Action.EDIT_HAZARD: _CLINICAL,
    Action.CHANGE_HAZARD_STATUS: _CLINICAL,
    Action.WITHDRAW_HAZARD: _CLINICAL,
    Action.ASSESS_RISK: _CLINICAL,
    Action.ADD_CONTROL: _CONTRIBUTORS,
    Action.EDIT_CONTROL: _CONTRIBUTORS,
    Action.LINK_CONTROL: _CONTRIBUTORS,
    Action.WITHDRAW_CONTROL: _CLINICAL,
    # A governance decision: the CSO and the accountable executive, within DCB0129's floor.
    Action.SET_ACCEPTANCE_POLICY: frozenset({Role.CSO, Role.EXECUTIVE}),
    Action.REVIEW_PROCESS: _CSOS,
    Action.EDIT_RELEASE: _RELEASERS,
    Action.RECORD_RELEASE: _RELEASERS | {Role.EXECUTIVE},
    Action.REVIEW_HAZARD: _CSOS,
    Action.ACCEPT_RISK_AS_CSO: _CSOS,
    Action.ACCEPT_RISK_AS_EXECUTIVE: frozenset({Role.EXECUTIVE}),
    Action.SIGN_OFF_RELEASE: _CSOS,
    Action.BLOCK_RELEASE: _CSOS,
    # Only the accountable executive, never the CSO, a reviewer or an engineer.
    Action.OVERRIDE_RELEASE: frozenset({Role.EXECUTIVE}),
    # Engineers help build the argument and its evidence; clinicians judge its doubts, and
    # only the CSO puts it forward or carries a doubt as residual (services check that).
    Action.EDIT_ARGUMENT: _CONTRIBUTORS,
    Action.SETTLE_DOUBT: _CLINICAL,
    Action.PUT_FORWARD_ARGUMENT: _CSOS,
    Action.RECORD_EVIDENCE: _CONTRIBUTORS,
    Action.REVIEW_EVIDENCE: _CONTRIBUTORS,
    # The CSO's own declarations; services also require a CSO appointment in force.
    Action.ASSESS_COMPLIANCE: _CSOS,
    Action.APPROVE_PLAN: _CSOS,
    # An import assesses risk, so only clinicians may run it.
    Action.IMPORT_HAZARD_LOG: _CLINICAL,
    Action.IMPORT_SUPPLIER_BUNDLE: _CSOS | {Role.ADMIN},
    # Anyone may report an incident or propose a change (a deploying organisation's people
    # may report to their supplier too: the incident services allow that); clinicians
    # triage and close, engineers help investigate, and the CSO concludes on a change.
    Action.REPORT_INCIDENT: frozenset(Role.values),
    Action.TRIAGE_INCIDENT: _CLINICAL,
    Action.INVESTIGATE_INCIDENT: _CONTRIBUTORS,
    Action.CLOSE_INCIDENT: _CLINICAL,
    Action.PROPOSE_CHANGE: frozenset(Role.values),
    Action.ASSESS_CHANGE: _CSOS,
    # DCB0160: the deploying organisation's CSO judges the supplier's evidence and what it
    # transfers; its accountable executive, not the CSO, accepts the residual risks.
    Action.RECORD_DEPLOYMENT: _CSOS | {Role.ADMIN},
    Action.DECIDE_TRANSFER: _CSOS,
    Action.REVIEW_ASSURANCE: _CSOS,
    Action.ADOPT_BUNDLE: _CSOS,
    Action.ACCEPT_DEPLOYMENT_RISKS: frozenset({Role.EXECUTIVE}),
    Action.RECORD_IN_USE_REVIEW: _CSOS,
    Action.DECOMMISSION_DEPLOYMENT: _CSOS,
    Action.FORWARD_INCIDENT: _CLINICAL,
}

# Whoever makes a request: services refuse anyone who is not a signed-in member.
Actor = User | AnonymousUser


# Roles already read within `roles_read_once`, by (user, organisation); None outside it.
_known_roles: ContextVar[dict[tuple[int, int], frozenset[str]] | None] = ContextVar(
    "known_roles", default=None
)


@contextmanager
def roles_read_once() -> Iterator[None]:
    """Within, a person's roles in an organisation are read from the database once: for
    one transaction that checks the same permission thousands of times (an import), while
    no role changes hands."""
    token = _known_roles.set({})
    try:
        yield
    finally:
        _known_roles.reset(token)


def roles_in(user: Actor, organisation: Organisation) -> set[str]:
    if not user.is_authenticated:
        return set()
    known, key = _known_roles.get(), (user.pk, organisation.pk)
    if known is not None and key in known:
        return set(known[key])
    roles = frozenset(
        Membership.objects.filter(user=user, organisation=organisation).values_list(
            "role", flat=True
        )
    )
    if known is not None:
        known[key] = roles
    return set(roles)


# A platform administrator (Django superuser) may set up any organisation's members, so a
# new organisation can be bootstrapped, but holds no clinical authority anywhere.
PLATFORM_ACTIONS = frozenset({Action.MANAGE_MEMBERS})


def can(user: Actor, action: Action, organisation: Organisation) -> bool:
    if action in PLATFORM_ACTIONS and user.is_superuser:
        return True
    return bool(roles_in(user, organisation) & POLICY[action])


def require(user: Actor, action: Action, organisation: Organisation) -> User:
    """Return ``user`` if they may ``action``; otherwise raise PermissionDenied naming
    the roles that may."""
    if can(user, action, organisation):
        assert isinstance(user, User)
        return user
    allowed = ", ".join(sorted(Role(role).label for role in POLICY[action]))
    raise PermissionDenied(
        f"You may not {action} in {organisation.name}: that needs one of these roles: {allowed}."
    )


def visible_organisations(user: Actor) -> QuerySet[Organisation]:
    """Organisations whose records ``user`` may read: those they belong to."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).distinct()


def allowed_actions(user: Actor, organisation: Organisation) -> set[str]:
    """Names of the actions ``user`` may take in ``organisation``, for showing buttons."""
    roles = roles_in(user, organisation)
    return {action.name for action, allowed in POLICY.items() if roles & allowed}


def organisations_where(user: Actor, action: Action) -> QuerySet[Organisation]:
    """Organisations in which ``user`` may ``action``."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    member_of = Membership.objects.filter(user=user.pk, role__in=POLICY[action])
    return Organisation.objects.filter(pk__in=member_of.values("organisation"))
