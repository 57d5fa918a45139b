"""Demo incidents in the e-prescribing product after 2.3.0 went live: one where a control
failed and one that revealed a hazard the log lacked (the incident a deploying trust
forwards is in the deployments demo). Loaded through the same services as real work."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from clinsafe.demo.history import days_ago
from clinsafe.hazards import services as hazards
from clinsafe.hazards.models import ControlKind, Hazard, RiskEstimate, Stage
from clinsafe.incidents import services
from clinsafe.incidents.models import Finding, Harm
from clinsafe.products.models import Product
from clinsafe.risk import Likelihood as L
from clinsafe.risk import Severity as S


def incidents_after_go_live(product: Product, people: dict[str, User]) -> None:
    """I-001, a failed interaction-warning control, investigated and closed; I-002, a dose
    unit lost on printed discharge prescriptions: a new hazard, its action now overdue."""
    cso, reviewer, engineer = people["cso"], people["reviewer"], people["engineer"]
    warning = Hazard.objects.get(product=product, number=6)
    control = warning.controls.order_by("number").first()
    assert control is not None
    release = product.releases.get(version="2.3.0")
    with days_ago(100):
        failed = services.report_incident(
            actor=reviewer, product=product, release=release,
            title="No interaction warning for clarithromycin with simvastatin",
            description="A prescriber added clarithromycin for a patient on simvastatin 40 mg; "
            "no interaction warning was shown. The ward pharmacist caught it at verification.",
            occurred_on=timezone.localdate() - timedelta(days=1), patient_affected=True,
            reported_harm=Harm.LOW, deployment="St Anne's Hospital, ward 4",
        )  # fmt: skip
    with days_ago(98):
        failed = services.triage_incident(
            actor=cso, incident=failed, version=failed.version, actual_harm=Harm.LOW,
            finding=Finding.CONTROL_FAILED, failed_controls=[control],
            reassessment_required=True, external_report_required=False,
            triage_notes=f"{control.reference} relies on the dictionary's interaction table; "
            "the 2025.10 update mapped clarithromycin to a new code the table lacked.",
        )  # fmt: skip
    with days_ago(96):
        residual = RiskEstimate.objects.filter(hazard=warning, stage=Stage.RESIDUAL).first()
        assert residual is not None
        hazards.assess_risk(
            actor=cso, hazard=warning, stage=Stage.RESIDUAL, severity=residual.severity,
            likelihood=residual.likelihood,
            rationale="Re-assessed after I-001: the likelihood holds once the dictionary "
            "mapping check runs at every dictionary update.",
        )  # fmt: skip
        failed = services.record_investigation(
            actor=engineer, incident=failed, version=failed.version,
            root_cause="The dictionary load did not check that every interacting code kept "
            "its interaction-table entry.",
            contributory_factors=["Dictionary updates loaded out of hours without a second "
                                  "check", "No test case for remapped codes"],
        )  # fmt: skip
        fix = services.add_action(
            actor=engineer, incident=failed, kind="corrective", owner=engineer,
            description="Check interaction-table coverage of every remapped code at each "
            "dictionary load.", due_on=timezone.localdate() + timedelta(days=14),
        )  # fmt: skip
    with days_ago(85):
        services.complete_action(actor=engineer, action=fix, outcome="Coverage check added to "
                                 "the dictionary load in 2.3.1's pipeline.")  # fmt: skip
        failed.refresh_from_db()
        failed = services.record_investigation(
            actor=cso, incident=failed, version=failed.version,
            findings="The control failed for codes remapped by a dictionary update; the "
            "coverage check now stops such a load.",
            learning="Dictionary updates are changes to clinical content: they go through "
            "change assessment like a release.",
        )  # fmt: skip
        services.close_incident(actor=cso, incident=failed, version=failed.version)

    with days_ago(90):
        printed = services.report_incident(
            actor=reviewer, product=product, release=release,
            title="Dose unit missing on printed discharge prescription",
            description="The printed TTO for a patient going home showed 'Levothyroxine 25' "
            "with no unit; the community pharmacy phoned to check.",
            occurred_on=timezone.localdate() - timedelta(days=2), patient_affected=True,
            reported_harm=Harm.NONE, deployment="St Anne's Hospital, discharge lounge",
        )  # fmt: skip
    with days_ago(88):
        printed = services.triage_incident(
            actor=cso, incident=printed, version=printed.version, actual_harm=Harm.NONE,
            finding=Finding.NEW_HAZARD, reassessment_required=True,
            external_report_required=False,
            new_hazard=services.new_hazard(
                "Dose unit missing from printed discharge prescriptions",
                "The printed discharge prescription omits the dose unit when the dose form "
                "has a long name, so the dose can be misread in the community.",
            ),
            triage_notes="Not in the log: the screens were analysed, the printouts were not.",
        )  # fmt: skip
        new = printed.hazards.get()
    with days_ago(87):
        hazards.assess_risk(actor=cso, hazard=new, stage=Stage.INITIAL, severity=S.MAJOR,
                            likelihood=L.LOW)  # fmt: skip
        hazards.add_control(
            actor=engineer, product=product, hazards=[new], kind=ControlKind.TESTING,
            description="Print-layout test of every dose form in the dictionary at each release.",
        )  # fmt: skip
        hazards.assess_risk(
            actor=cso, hazard=new, stage=Stage.RESIDUAL, severity=S.MAJOR, likelihood=L.VERY_LOW,
            rationale="The print-layout test covers every dose form before release.",
        )  # fmt: skip
        printed = services.record_investigation(
            actor=engineer, incident=printed, version=printed.version,
            root_cause="The print template truncates the dose line at 40 characters.",
        )  # fmt: skip
        services.add_action(
            actor=engineer, incident=printed, kind="preventive", owner=engineer,
            description="Review every other printed output (labels, charts) for truncation.",
            due_on=timezone.localdate() + timedelta(days=30),
        )  # fmt: skip
