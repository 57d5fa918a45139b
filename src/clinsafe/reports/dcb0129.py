"""The DCB0129 requirements a manufacturer assesses itself against, clause by clause.

One table, in the order of the standard (DCB0129 v4.2 numbering); each names where in
clinsafe its evidence is kept, so the assessment form can offer the link. Pure Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Evidence(StrEnum):
    """Where the evidence for a requirement lives in clinsafe."""

    PLAN = "Clinical Risk Management Plan"
    CSO = "CSO page: appointment, registration, training"
    HAZARD_LOG = "Hazard Log"
    ARGUMENT = "Safety argument"
    REPORT = "Clinical Safety Case Report"
    RELEASE = "Release gate and sign-off"
    HEALTH = "CSO health check and process reviews"
    AUDIT = "Audit trail"


@dataclass(frozen=True)
class Requirement:
    clause: str
    title: str
    text: str
    evidence: Evidence


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("2.1.1", "Clinical risk management process",
                "Top management has established, documented, implemented and maintains a "
                "clinical risk management process for the health IT system.", Evidence.PLAN),
    Requirement("2.1.2", "Accountability and resources",
                "Top management is accountable for the process and provides adequate "
                "resources, including the CSO's protected time.", Evidence.HEALTH),
    Requirement("2.1.3", "Review of the process",
                "Top management reviews the suitability of the process at planned "
                "intervals.", Evidence.HEALTH),
    Requirement("2.2.1", "Clinical Safety Officer appointed",
                "A Clinical Safety Officer is appointed, with authority to approve or "
                "withhold the clinical safety deliverables.", Evidence.CSO),
    Requirement("2.2.2", "CSO registered and experienced",
                "The CSO is a suitably qualified and experienced clinician holding a current "
                "registration with a professional body.", Evidence.CSO),
    Requirement("2.2.3", "CSO trained in clinical risk management",
                "The CSO is knowledgeable in clinical risk management and its application.",
                Evidence.CSO),
    Requirement("2.3.1", "Competence of personnel",
                "People performing clinical risk management tasks have the knowledge and "
                "experience for them, and records show it.", Evidence.PLAN),
    Requirement("2.4.1", "Clinical Risk Management File",
                "A Clinical Risk Management File holds the records and documents of the "
                "process for the system.", Evidence.AUDIT),
    Requirement("2.5.1", "Clinical Risk Management Plan",
                "A Clinical Risk Management Plan is established for the system and kept "
                "up to date.", Evidence.PLAN),
    Requirement("3.1.1", "Hazard identification",
                "Hazards are identified systematically, with their causes and effects.",
                Evidence.HAZARD_LOG),
    Requirement("3.2.1", "Clinical risk estimation",
                "The clinical risk of each hazard is estimated from severity and likelihood "
                "on the plan's risk matrix.", Evidence.HAZARD_LOG),
    Requirement("4.1.1", "Clinical risk evaluation",
                "Each estimated risk is evaluated against the plan's acceptability "
                "criteria.", Evidence.HAZARD_LOG),
    Requirement("5.1.1", "Risk control",
                "Controls are identified for risks that are not acceptable, and "
                "implemented.", Evidence.HAZARD_LOG),
    Requirement("5.2.1", "Verification of controls",
                "The implementation and effectiveness of each control are verified, with "
                "evidence.", Evidence.ARGUMENT),
    Requirement("5.3.1", "Residual risk acceptance",
                "Residual risk is evaluated and accepted at the level the plan sets.",
                Evidence.RELEASE),
    Requirement("6.1.1", "Clinical Safety Case",
                "A clinical safety case argues, with evidence, that the system is "
                "acceptably safe for its intended use.", Evidence.ARGUMENT),
    Requirement("6.2.1", "Clinical Safety Case Report",
                "A Clinical Safety Case Report is issued for each release, approved by the "
                "CSO.", Evidence.REPORT),
    Requirement("6.3.1", "Hazard Log",
                "A Hazard Log is maintained and issued with each Clinical Safety Case "
                "Report.", Evidence.HAZARD_LOG),
    Requirement("7.1.1", "Post-deployment monitoring",
                "Safety incidents are recorded, investigated and fed back into the hazard "
                "log.", Evidence.HAZARD_LOG),
    Requirement("7.2.1", "Modification",
                "Changes are assessed for their clinical risk, and a new safety case report "
                "issued where risk changes.", Evidence.RELEASE),
    Requirement("8.1.1", "Third-party products",
                "The clinical safety of third-party products the system relies on is "
                "assured.", Evidence.REPORT),
)  # fmt: skip

BY_CLAUSE = {r.clause: r for r in REQUIREMENTS}
