"""A deploying organisation's use cases (DCB0160): receiving a supplier's bundle, recording
a deployment, the local CSO's decisions on the supplier's evidence and transferred controls,
moving onto a newer bundle, and the accountable executive's acceptance of residual risk."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from clinsafe.audit.models import EventType
from clinsafe.audit.services import record_event
from clinsafe.core.formats import person_name
from clinsafe.core.models import Organisation, OrganisationKind
from clinsafe.core.permissions import Action, Actor, require
from clinsafe.core.records import validate
from clinsafe.core.services import require_appointment
from clinsafe.deployments.compare import compare
from clinsafe.deployments.models import (
    AssuranceConclusion,
    AssuranceReview,
    Deployment,
    ResidualRiskAcceptance,
    SupplierBundle,
    TransferDecision,
    TransferDecisionKind,
)
from clinsafe.deployments.records import (
    assurance_checks,
    go_live,
    newer_bundle,
    open_release,
    risk_acceptance,
    risk_snapshot,
    transfers,
)
from clinsafe.gate.models import AcceptedAs
from clinsafe.gate.services import check_signing_password, sign_record
from clinsafe.hazards.services import create_hazard
from clinsafe.products.models import Product, Release
from clinsafe.products.releases import create_release, edit_release
from clinsafe.products.services import create_product
from clinsafe.reports.bundle import BundleError, export_bundle, issued_here, read_bundle


def import_supplier_bundle(
    *, actor: Actor, organisation: Organisation, data: bytes
) -> SupplierBundle:
    """Keep a supplier's bundle as its read-only record of that product version. Refused,
    with every reason, if it fails the schema or its manifest."""
    user = require(actor, Action.IMPORT_SUPPLIER_BUNDLE, organisation)
    try:
        bundle = read_bundle(data)
    except BundleError as error:
        raise ValidationError({"file": error.reasons}) from None
    sha256 = hashlib.sha256(data).hexdigest()
    supplier_product = _issuing_product(bundle)
    with transaction.atomic():
        if SupplierBundle.objects.filter(organisation=organisation, sha256=sha256).exists():
            raise ValidationError({"file": "This bundle has already been imported."})
        previous = (
            SupplierBundle.objects.select_for_update()
            .filter(
                organisation=organisation,
                supplier_slug=bundle["supplier"]["slug"],
                product_slug=bundle["product"]["slug"],
            )
            .first()
        )
        record = SupplierBundle.objects.create(
            organisation=organisation,
            supplier_name=bundle["supplier"]["name"],
            supplier_slug=bundle["supplier"]["slug"],
            product_name=bundle["product"]["name"],
            product_slug=bundle["product"]["slug"],
            release_version=bundle["release"]["version"],
            supplier_product=supplier_product,
            content=bundle,
            sha256=sha256,
            previous=previous,
            imported_by=user,
        )
        changes = compare(previous.content if previous else None, bundle)
        record_event(
            EventType.SUPPLIER_BUNDLE_IMPORTED,
            actor=user,
            subject=record,
            organisation=organisation,
            data={
                "supplier": record.supplier_name,
                "product": record.product_name,
                "version": record.release_version,
                "sha256": sha256,
                "since_previous": changes.counts if previous else None,
            },
        )
    return record


def _issuing_product(bundle: dict[str, Any]) -> Product | None:
    """The product on this clinsafe that issued ``bundle``, or None for a supplier whose
    records are kept elsewhere. A bundle naming a supplier kept here must carry this
    clinsafe's issuer signature: one edited after export (a product slug changed, say) would
    otherwise open the supplier's incident log to whoever holds it."""
    supplier = Organisation.objects.filter(slug=bundle["supplier"]["slug"]).first()
    if supplier is None:
        return None
    if not issued_here(bundle):
        raise ValidationError(
            {"file": f"This bundle names {supplier.name}, whose records are kept on this "
             "clinsafe, but this clinsafe did not issue it as it is: it was changed after it "
             f"was exported. Ask {supplier.name} for the bundle as they exported it."}
        )  # fmt: skip
    product = Product.objects.filter(organisation=supplier, slug=bundle["product"]["slug"]).first()
    if product is None:
        raise ValidationError(
            {"file": f"{supplier.name} has no product {bundle['product']['slug']!r} here."}
        )
    return product


# --- a deployment and its go-live --------------------------------------------------------

DEPLOYING_KINDS = (OrganisationKind.HEALTH_ORGANISATION, OrganisationKind.BOTH)


def bundle_of_own_release(
    *, actor: Actor, organisation: Organisation, release: Release
) -> SupplierBundle:
    """An organisation that deploys a product it makes takes its own release's bundle, so
    the deployment reads its own evidence exactly as it would a supplier's."""
    if release.product.organisation_id != organisation.pk:
        raise ValidationError({"version": f"{release} is not a release of {organisation.name}."})
    existing = SupplierBundle.objects.filter(
        organisation=organisation,
        supplier_slug=organisation.slug,
        product_slug=release.product.slug,
        release_version=release.version,
    ).first()
    return existing or import_supplier_bundle(
        actor=actor, organisation=organisation, data=export_bundle(release)
    )


def record_deployment(
    *,
    actor: Actor,
    organisation: Organisation,
    bundle: SupplierBundle,
    site: str,
    clinical_scope: str,
    user_groups: str,
    operating_environment: str,
    go_live_on: date | None,
    patient_groups: str = "",
    review_interval_months: int = 12,
) -> Deployment:
    """Record that ``organisation`` deploys the product version of ``bundle`` at ``site``.
    The deployment gets its own safety record (a product of the organisation, with the
    go-live as its first release), so its CSO, plan, hazards and gate are its own."""
    user = require(actor, Action.RECORD_DEPLOYMENT, organisation)
    errors: dict[str, Any] = {}
    if organisation.kind not in DEPLOYING_KINDS:
        errors["__all__"] = (
            f"{organisation.name} is registered as a manufacturer: deployments are recorded "
            "by health organisations (DCB0160)."
        )
    if bundle.organisation_id != organisation.pk:
        errors["bundle"] = "Choose a bundle your organisation has received."
    for field, value, words in (
        ("clinical_scope", clinical_scope, "the local clinical scope and intended use"),
        ("user_groups", user_groups, "the user groups"),
    ):
        if not value.strip():
            errors[field] = f"Describe {words}."
    deployment = Deployment(
        organisation=organisation,
        bundle=bundle,
        site=site.strip(),
        operating_environment=operating_environment.strip(),
        go_live_on=go_live_on,  # type: ignore[misc]  # None is refused by full_clean
        review_interval_months=review_interval_months,
        created_by=user,
    )
    validate(deployment, errors, exclude=["record"])
    with transaction.atomic():
        deployment.record = create_product(
            actor=user,
            organisation=organisation,
            name=f"{bundle.product_name} at {deployment.site}"[:200],
            slug=_free_slug(f"{organisation.slug}-{bundle.product_slug}"),
            intended_use=clinical_scope.strip(),
            care_settings=deployment.site,
            intended_users=user_groups.strip(),
            patient_groups=patient_groups.strip(),
            third_party_products=f"{bundle.product_name} {bundle.release_version}, made by "
            f"{bundle.supplier_name}",
        )
        create_release(
            actor=user,
            product=deployment.record,
            version=bundle.release_version,
            planned_on=go_live_on,
            summary=f"Go-live of {bundle.product_name} {bundle.release_version} at "
            f"{deployment.site}.",
        )
        deployment.save()
        record_event(
            EventType.DEPLOYMENT_RECORDED,
            actor=user,
            subject=deployment,
            organisation=organisation,
            data={
                "site": deployment.site,
                "supplier": bundle.supplier_name,
                "product": bundle.product_name,
                "version": bundle.release_version,
                "bundle_sha256": bundle.sha256,
                "record": deployment.record.slug,
                "go_live_on": go_live_on,
            },
        )
    return deployment


def _free_slug(base: str) -> str:
    """``base`` as a slug, numbered -2, -3… when a product already has it."""
    base = slugify(base)[:70].strip("-")
    taken = set(Product.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def local_cso(actor: Actor, action: Action, deployment: Deployment) -> User:
    user = require(actor, action, deployment.organisation)
    require_appointment(user, deployment.record)
    if deployment.decommissioned_on is not None:
        raise ValidationError({"__all__": f"{deployment} is decommissioned."})
    return user


def decide_transfer(
    *,
    actor: Actor,
    deployment: Deployment,
    reference: str,
    decision: str,
    implementation: str = "",
    reasons: str = "",
) -> TransferDecision:
    """The local CSO accepts a transferred control (saying how it is implemented) or rejects
    it with reasons; a rejection raises a local hazard, so the risk it leaves is controlled
    locally. A decision stands until the supplier changes the control."""
    user = local_cso(actor, Action.DECIDE_TRANSFER, deployment)
    transfer = next((t for t in transfers(deployment) if t.reference == reference), None)
    if transfer is None:
        raise ValidationError(
            {"reference": f"{reference} is not a control the supplier transferred in "
             f"{deployment.bundle.release_version}."}
        )  # fmt: skip
    if transfer.current:
        raise ValidationError(
            {"__all__": f"{reference} is already decided as the supplier words it."}
        )
    errors = {}
    if decision not in TransferDecisionKind.values:
        errors["decision"] = "Choose accept or reject."
    elif decision == TransferDecisionKind.ACCEPTED and not implementation.strip():
        errors["implementation"] = "Say how the control is implemented locally, and by whom."
    elif decision == TransferDecisionKind.REJECTED and not reasons.strip():
        errors["reasons"] = "Say why the control is rejected."
    if errors:
        raise ValidationError(errors)
    control = transfer.control
    with transaction.atomic():
        local_hazard = None
        if decision == TransferDecisionKind.REJECTED:
            local_hazard = create_hazard(
                actor=user,
                product=deployment.record,
                title=f"Supplier control {reference} not implemented locally",
                description=f"{deployment.bundle.supplier_name} transferred {reference} to us: "
                f"\u201c{control['description']}\u201d We do not implement it: {reasons.strip()}",
                causes=[f"Transferred control {reference} rejected"],
                harm=" ".join(_harms(deployment, control)),
            )
        made = TransferDecision.objects.create(
            deployment=deployment,
            control_reference=reference,
            control=control,
            bundle=deployment.bundle,
            decision=decision,
            implementation=implementation.strip()
            if decision == TransferDecisionKind.ACCEPTED
            else "",
            reasons=reasons.strip() if decision == TransferDecisionKind.REJECTED else "",
            local_hazard=local_hazard,
            decided_by=user,
            decided_at=timezone.now(),
        )
        record_event(
            EventType.TRANSFER_DECIDED,
            actor=user,
            subject=deployment,
            organisation=deployment.organisation,
            data={
                "control": reference,
                "decision": decision,
                "implementation": made.implementation,
                "reasons": made.reasons,
                "local_hazard": local_hazard.reference if local_hazard else None,
                "bundle_sha256": deployment.bundle.sha256,
            },
        )
    return made


def _harms(deployment: Deployment, control: dict[str, Any]) -> list[str]:
    hazards = {h["reference"]: h for h in deployment.bundle.content["hazard_log"]["hazards"]}
    return [
        f"{r}: {hazards[r]['harm']}"
        for r in control["hazards"]
        if r in hazards and hazards[r]["harm"]
    ]


def review_assurance(
    *, actor: Actor, deployment: Deployment, conclusion: str, comment: str
) -> AssuranceReview:
    """The local CSO's conclusion on the supplier's evidence for the bundle deployed."""
    user = local_cso(actor, Action.REVIEW_ASSURANCE, deployment)
    errors = {}
    if conclusion not in AssuranceConclusion.values:
        errors["conclusion"] = "Choose a conclusion."
    if not comment.strip():
        errors["comment"] = "Say what you found in the supplier's evidence."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        review = AssuranceReview.objects.create(
            deployment=deployment,
            bundle=deployment.bundle,
            conclusion=conclusion,
            comment=comment.strip(),
            reviewed_by=user,
            reviewer_name=person_name(user),
            reviewed_at=timezone.now(),
        )
        record_event(
            EventType.ASSURANCE_REVIEWED,
            actor=user,
            subject=deployment,
            organisation=deployment.organisation,
            data={
                "bundle_sha256": deployment.bundle.sha256,
                "version": deployment.bundle.release_version,
                "conclusion": conclusion,
                "comment": review.comment,
                "checks": {c.title: c.passed for c in assurance_checks(deployment.bundle)},
            },
        )
    return review


def adopt_bundle(*, actor: Actor, deployment: Deployment, bundle: SupplierBundle) -> Deployment:
    """Move the deployment onto a newer bundle of its supplier's product. Before go-live the
    go-live takes the new version; after it, the upgrade is planned as the record's next
    release, through the same gate. Decisions on controls the supplier changed, and the
    assurance review, must then be made again."""
    user = local_cso(actor, Action.ADOPT_BUNDLE, deployment)
    newer = newer_bundle(deployment)
    if newer is None or bundle.pk != newer.pk:
        raise ValidationError(
            {"bundle": "Only the newest bundle received after the one deployed can be adopted."}
        )
    with transaction.atomic():
        deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
        before = deployment.bundle
        what = f"{bundle.product_name} {bundle.release_version} at {deployment.site}."
        pending = open_release(deployment)
        if pending is not None:
            edit_release(
                actor=user,
                release=pending,
                revision=pending.revision,
                version=bundle.release_version,
                summary=f"{'Upgrade to' if go_live(deployment) else 'Go-live of'} {what}",
            )
        else:
            create_release(
                actor=user,
                product=deployment.record,
                version=bundle.release_version,
                summary=f"Upgrade to {what}",
            )
        deployment.bundle = bundle
        deployment.version += 1
        deployment.save()
        comparison = compare(before.content, bundle.content)
        record_event(
            EventType.BUNDLE_ADOPTED,
            actor=user,
            subject=deployment,
            organisation=deployment.organisation,
            data={
                "from": before.release_version,
                "to": bundle.release_version,
                "bundle_sha256": bundle.sha256,
                "changes": comparison.counts,
            },
        )
    return deployment


def accept_deployment_risks(
    *, actor: Actor, deployment: Deployment, password: str, statement: str
) -> ResidualRiskAcceptance:
    """The deploying organisation's accountable executive accepts the listed residual risks
    as they stand, by electronic signature."""
    user = require(actor, Action.ACCEPT_DEPLOYMENT_RISKS, deployment.organisation)
    if not statement.strip():
        raise ValidationError({"statement": "Write your statement accepting the residual risks."})
    check_signing_password(user, password)
    with transaction.atomic():
        deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
        if risk_acceptance(deployment).current:
            raise ValidationError({"__all__": "The residual risks as listed are already accepted."})
        snapshot = risk_snapshot(deployment)
        unassessed = [r["reference"] for r in snapshot["risks"] if r["rating"] is None]
        if unassessed:
            raise ValidationError(
                {"__all__": f"Assess the risk of {', '.join(unassessed)} before accepting it."}
            )
        role = AcceptedAs.EXECUTIVE.label
        acceptance, _ = sign_record(  # refused above once accepted: no twin
            ResidualRiskAcceptance(deployment=deployment),
            user,
            role,
            f"accepted the residual risks of {deployment} for {deployment.organisation.name}",
            statement.strip(),
            snapshot,
        )
        record_event(
            EventType.DEPLOYMENT_RISKS_ACCEPTED,
            actor=user,
            subject=deployment,
            organisation=deployment.organisation,
            data={
                "snapshot_hash": acceptance.snapshot_hash,
                "risks": [f"{r['reference']} ({r['rating']})" for r in snapshot["risks"]],
                "statement": acceptance.statement,
            },
        )
    return acceptance
