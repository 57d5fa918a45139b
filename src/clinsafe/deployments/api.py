"""REST API of deployments (read-only): where each of your organisations' deployments
stands under DCB0160, read from the same records as its page."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets

from clinsafe.core.permissions import visible_organisations
from clinsafe.deployments.filtersets import DeploymentFilterSet
from clinsafe.deployments.models import Deployment
from clinsafe.deployments.records import (
    assurance_checks,
    go_live,
    latest_review,
    newer_bundle,
    next_review_due,
    open_release,
    residual_risks,
    risk_acceptance,
    transfers,
)
from clinsafe.gate.evaluation import gate_report


class DeploymentSerializer(serializers.ModelSerializer):
    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    record: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="The deployment's own safety record."
    )
    supplier_version = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    gate = serializers.SerializerMethodField()
    assurance = serializers.SerializerMethodField()
    transfers = serializers.SerializerMethodField()
    residual_risks = serializers.SerializerMethodField()
    next_review_due = serializers.SerializerMethodField()
    newer_bundle = serializers.SerializerMethodField()

    class Meta:
        model = Deployment
        fields = [
            "id", "organisation", "record", "site", "operating_environment", "go_live_on",
            "review_interval_months", "supplier_version", "state", "gate", "assurance",
            "transfers", "residual_risks", "next_review_due", "newer_bundle",
            "decommissioned_on", "version",
        ]  # fmt: skip

    def get_supplier_version(self, d: Deployment) -> dict[str, str]:
        b = d.bundle
        return {"supplier": b.supplier_name, "product": b.product_name,
                "version": b.release_version, "bundle_sha256": b.sha256}  # fmt: skip

    def get_state(self, d: Deployment) -> str:
        if d.decommissioned_on:
            return "decommissioned"
        return "live" if go_live(d) else "planning go-live"

    def get_gate(self, d: Deployment) -> dict[str, Any] | None:
        """The gate of the go-live or upgrade being decided, if one is open."""
        pending = open_release(d)
        if pending is None:
            return None
        report = gate_report(pending)
        return {"release": pending.version, "status": report["status"],
                "decision": report["decision"], "message": report["message"]}  # fmt: skip

    def get_assurance(self, d: Deployment) -> dict[str, Any]:
        review = latest_review(d)
        return {
            "checks": [
                {"title": c.title, "passed": c.passed, "detail": c.detail}
                for c in assurance_checks(d.bundle)
            ],
            "review": None if review is None else {
                "conclusion": review.conclusion, "comment": review.comment,
                "reviewed_by": review.reviewer_name, "reviewed_at": review.reviewed_at,
            },
        }  # fmt: skip

    def get_transfers(self, d: Deployment) -> list[dict[str, Any]]:
        return [
            {
                "reference": t.reference,
                "description": t.control["description"],
                "state": t.state,
                "decision": t.decision.decision if t.current and t.decision else None,
                "local_hazard": t.decision.local_hazard.reference
                if t.decision and t.decision.local_hazard
                else None,
            }
            for t in transfers(d)
        ]

    def get_residual_risks(self, d: Deployment) -> dict[str, Any]:
        state = risk_acceptance(d)
        return {
            "risks": residual_risks(d),
            "accepted_by": state.acceptance.signer_name if state.acceptance else None,
            "acceptance_current": state.current,
        }

    def get_next_review_due(self, d: Deployment) -> date | None:
        return next_review_due(d, go_live(d))

    def get_newer_bundle(self, d: Deployment) -> str | None:
        newer = newer_bundle(d)
        return newer.release_version if newer else None


class DeploymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Deployments of your organisations, filterable by organisation: the supplier version,
    the go-live or upgrade gate, supplier assurance, transferred controls, residual risks
    and when the next in-use review is due. Decisions are made on the deployment's page."""

    serializer_class = DeploymentSerializer
    filterset_class = DeploymentFilterSet

    def get_queryset(self) -> QuerySet[Deployment]:
        return (
            Deployment.objects.filter(organisation__in=visible_organisations(self.request.user))
            .select_related("organisation", "record__organisation", "bundle")
            .order_by("organisation__name", "site", "id")
        )
