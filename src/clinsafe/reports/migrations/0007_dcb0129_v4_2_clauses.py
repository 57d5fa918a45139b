"""Renumber compliance assessments to the 61 clauses of DCB0129 v4.2.

clinsafe first assessed against 21 rows whose numbers were not the standard's. Each old
answer is carried to the v4.2 clauses it covered; where several old rows cover one clause,
the least compliant answer is carried, with all their evidence. The old answers are kept on
the assessment, with a note of the mapping. Clauses no old row covered are left unanswered,
so the CSO answers them and signs again (the earlier signature no longer matches).
"""

from django.db import migrations, models

OLD_TITLES = {
    "2.1.1": "Clinical risk management process",
    "2.1.2": "Accountability and resources",
    "2.1.3": "Review of the process",
    "2.2.1": "Clinical Safety Officer appointed",
    "2.2.2": "CSO registered and experienced",
    "2.2.3": "CSO trained in clinical risk management",
    "2.3.1": "Competence of personnel",
    "2.4.1": "Clinical Risk Management File",
    "2.5.1": "Clinical Risk Management Plan",
    "3.1.1": "Hazard identification",
    "3.2.1": "Clinical risk estimation",
    "4.1.1": "Clinical risk evaluation",
    "5.1.1": "Risk control",
    "5.2.1": "Verification of controls",
    "5.3.1": "Residual risk acceptance",
    "6.1.1": "Clinical Safety Case",
    "6.2.1": "Clinical Safety Case Report",
    "6.3.1": "Hazard Log",
    "7.1.1": "Post-deployment monitoring",
    "7.2.1": "Modification",
    "8.1.1": "Third-party products",
}
# Old row: the v4.2 clauses it answered for.
CARRIED_TO = {
    "2.1.1": ("2.1.1",),
    "2.1.2": ("2.2.1",),
    "2.1.3": ("2.6.1",),
    "2.2.1": ("2.2.1", "2.3.4"),
    "2.2.2": ("2.3.1", "2.3.2"),
    "2.2.3": ("2.3.3",),
    "2.3.1": ("2.4.1", "2.4.2"),
    "2.4.1": ("3.1.1", "3.1.2", "3.1.3"),
    "2.5.1": ("3.2.1", "3.2.4"),
    "3.1.1": ("4.3.1",),
    "3.2.1": ("4.4.1",),
    "4.1.1": ("5.1.1",),
    "5.1.1": ("6.1.1", "6.3.1"),
    "5.2.1": ("6.3.2", "6.3.3"),
    "5.3.1": ("6.1.4", "6.4.1"),
    "6.1.1": ("3.4.1",),
    "6.2.1": ("3.5.1", "3.5.2"),
    "6.3.1": ("3.3.1", "3.3.3"),
    "7.1.1": ("3.6.1", "7.2.1", "7.2.5"),
    "7.2.1": ("7.3.1", "7.3.3"),
    "8.1.1": ("2.5.1", "2.5.2"),
}
# Least compliant first: of several old answers for one clause, the earliest here is carried.
ORDER = ("not_compliant", "partly", "compliant", "not_applicable")


def renumber(answers):
    """The v4.2 answers and the note for one assessment's old answers."""
    carried, lines = {}, []
    for old, answer in answers.items():
        targets = CARRIED_TO.get(old, ())
        title = OLD_TITLES.get(old, "an unknown row")
        lines.append(
            f"{old} {title}: carried to {', '.join(targets)}." if targets
            else f"{old} {title}: not carried (no clause of v4.2 matches it)."
        )
        for clause in targets:
            carried.setdefault(clause, []).append(answer)
    new = {}
    for clause, found in carried.items():
        status = min((a["status"] for a in found), key=ORDER.index)
        evidence = "\n".join(dict.fromkeys(a["evidence"] for a in found if a["evidence"]))
        new[clause] = {"status": status, "evidence": evidence[:4000]}
    return new, "\n".join(lines)


def forwards(apps, schema_editor):
    Assessment = apps.get_model("reports", "ComplianceAssessment")
    for assessment in Assessment.objects.all():
        if "8.1.1" not in assessment.answers:
            continue  # answered against v4.2, which has no section 8 (every old one has 8.1.1)
        new, note = renumber(assessment.answers)
        assessment.earlier_answers = assessment.answers
        assessment.answers = new
        assessment.renumbering_note = note
        assessment.revision += 1
        assessment.save(update_fields=["earlier_answers", "answers", "renumbering_note", "revision"])


def backwards(apps, schema_editor):
    Assessment = apps.get_model("reports", "ComplianceAssessment")
    for assessment in Assessment.objects.all():
        if not assessment.earlier_answers:
            continue
        assessment.answers = assessment.earlier_answers
        assessment.revision += 1
        assessment.save(update_fields=["answers", "revision"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0006_document_issuing")]

    operations = [
        migrations.AddField(
            model_name="complianceassessment",
            name="earlier_answers",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="complianceassessment",
            name="renumbering_note",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
