"""A release's documents are issued by the worker after Priya's sign-off commits: the
signature does not wait for the PDFs, and a failure is retried, shown and never lost."""

import pytest

from clinsafe.hazards import services as hazards
from clinsafe.reports import issuing as issuing_module
from clinsafe.reports.models import DocumentIssuing, IssuedDocument
from tests.conftest import argue_for, logged_in
from tests.gate.conftest import assessed, review_all, sign_off

pytestmark = pytest.mark.django_db

DOCUMENTS = "/products/medsflow/documents/"


@pytest.fixture
def ready(cso, tom, release, product):
    """Release 2.4.0, argued and reviewed, waiting for Priya's sign-off."""
    assessed(product, cso, initial=(2, 2), residual=(2, 1))
    argue_for(release, cso, tom)
    review_all(cso, release)
    return release


def signed_off(cso, release, capture):
    """Priya signs off; returns what the commit queued for the worker, not yet run."""
    with capture() as queued:
        sign_off(cso, release, issue=False)
    return queued


@pytest.fixture
def failing_pdf(monkeypatch):
    """Rendering fails ``times`` times, then works."""

    def fail(times):
        real, calls = issuing_module.to_pdf, {"n": 0}

        def to_pdf(document):
            calls["n"] += 1
            if calls["n"] <= times:
                raise OSError("No space left on device")
            return real(document)

        monkeypatch.setattr(issuing_module, "to_pdf", to_pdf)

    return fail


def test_signing_off_commits_at_once_and_the_worker_issues_the_documents_after(
    cso, ready, worker, django_capture_on_commit_callbacks
):
    queued = signed_off(cso, ready, django_capture_on_commit_callbacks)
    assert not IssuedDocument.objects.exists()  # the sign-off did not wait for them
    issuing = DocumentIssuing.objects.get(release=ready)
    assert issuing.state == "queued"
    assert "Being issued" in logged_in(cso).get(DOCUMENTS).text
    worker(queued)
    issuing.refresh_from_db()
    assert (issuing.state, issuing.attempts) == ("issued", 1)
    kinds = set(IssuedDocument.objects.filter(release=ready).values_list("kind", flat=True))
    assert kinds == {"safety-case-report", "hazard-log"}
    assert IssuedDocument.objects.filter(issued_by=cso).count() == 2  # as the signer


def test_a_failure_in_issuing_is_retried_and_the_documents_issued(
    cso, ready, worker, failing_pdf, django_capture_on_commit_callbacks
):
    failing_pdf(times=1)
    worker(signed_off(cso, ready, django_capture_on_commit_callbacks))
    issuing = DocumentIssuing.objects.get(release=ready)
    assert (issuing.state, issuing.attempts, issuing.error) == ("issued", 2, "")
    assert IssuedDocument.objects.filter(release=ready).count() == 2
    versions = IssuedDocument.objects.values_list("document_version", flat=True)
    assert set(versions) == {1}  # the failed attempt kept nothing, took no version


def test_issuing_that_keeps_failing_is_shown_and_priya_tries_again(
    cso, ready, worker, failing_pdf, django_capture_on_commit_callbacks
):
    failing_pdf(times=DocumentIssuing.MAX_ATTEMPTS)
    worker(signed_off(cso, ready, django_capture_on_commit_callbacks))
    issuing = DocumentIssuing.objects.get(release=ready)
    assert (issuing.state, issuing.attempts) == ("failed", DocumentIssuing.MAX_ATTEMPTS)
    assert issuing.error == "OSError: No space left on device"
    page = logged_in(cso).get(DOCUMENTS).text
    assert "The documents of 2.4.0 could not be issued" in page
    assert "3 attempts failed; the last with: OSError: No space left on device" in page
    with django_capture_on_commit_callbacks() as queued:
        response = logged_in(cso).post(f"{DOCUMENTS}issuing/{issuing.pk}/retry/")
    assert response.status_code == 302
    worker(queued)
    issuing.refresh_from_db()
    assert issuing.state == "issued"
    assert IssuedDocument.objects.filter(release=ready).count() == 2


def test_only_a_cso_tries_issuing_again(cso, sam, ready, worker, failing_pdf,
                                        django_capture_on_commit_callbacks):  # fmt: skip
    failing_pdf(times=DocumentIssuing.MAX_ATTEMPTS)
    worker(signed_off(cso, ready, django_capture_on_commit_callbacks))
    issuing = DocumentIssuing.objects.get(release=ready)
    response = logged_in(sam).post(f"{DOCUMENTS}issuing/{issuing.pk}/retry/")
    assert response.status_code == 403
    issuing.refresh_from_db()
    assert issuing.state == "failed"


def test_records_changed_before_the_worker_ran_issue_nothing_the_signature_did_not_cover(
    cso, tom, ready, product, worker, django_capture_on_commit_callbacks
):
    queued = signed_off(cso, ready, django_capture_on_commit_callbacks)
    hazard = product.hazards.get(number=1)
    hazards.edit_hazard(actor=tom, hazard=hazard, version=hazard.version, title="Renamed")
    worker(queued)
    issuing = DocumentIssuing.objects.get(release=ready)
    assert issuing.state == "superseded"
    assert not IssuedDocument.objects.exists()
    assert "a new sign-off issues them" in logged_in(cso).get(DOCUMENTS).text
