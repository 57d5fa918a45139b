"""Every document the demo can hand out, read back from its file: no template text in it
and every page A4 with its text on the page."""

import io
import re
from collections.abc import Iterator

import pytest
from docx import Document as Docx
from docx.shared import Mm
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTContainer, LTItem

from clinsafe.core.models import Membership, Organisation, Role
from clinsafe.products.models import Product
from clinsafe.reports.models import IssuedDocument
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

A4 = (595.3, 841.9)  # points
TEMPLATE_TEXT = re.compile(r"\{[#%{]|[#%}]\}")


@pytest.fixture
def cso_client(demo_data, django_user_model):
    return logged_in(django_user_model.objects.get(username="cso"))


def document_urls() -> list[tuple[Organisation, str]]:
    """(whose, url) for every document the demo's products and organisations offer."""
    urls = []
    for product in Product.objects.select_related("organisation").prefetch_related("releases"):
        base = f"/products/{product.slug}"
        paths = ["documents/hazard-log.pdf", "documents/plan.pdf", "documents/dtac.pdf"]
        paths += [f"releases/{r.version}/safety-case-report.pdf" for r in product.releases.all()]
        urls += [(product.organisation, f"{base}/{path}") for path in paths]
    organisations = Organisation.objects.all()
    return urls + [(o, f"/organisations/{o.slug}/board-report.pdf") for o in organisations]


def page_problems(name: str, content: bytes) -> list[str]:
    """What is wrong with a PDF's pages: a size other than A4, template text, text drawn
    off the page (pdfminer places every character, within diagrams too)."""
    problems = []
    for number, page in enumerate(extract_pages(io.BytesIO(content)), start=1):
        left, bottom, right, top = page.bbox
        if sorted((round(right - left, 1), round(top - bottom, 1))) != sorted(A4):
            problems.append(f"{name} page {number} is {right - left:.0f} x {top - bottom:.0f} pt")
        chars = list(characters(page))
        text = "".join(c.get_text() for c in chars)
        if found := TEMPLATE_TEXT.search(text):
            problems.append(f"{name} page {number} shows template text {found.group()!r}")
        off = "".join(
            c.get_text()
            for c in chars
            if c.x0 < left - 1 or c.x1 > right + 1 or c.y0 < bottom - 1 or c.y1 > top + 1
        )
        if off:
            problems.append(f"{name} page {number} has text off the page: {off[:60]!r}")
    return problems


def characters(item: LTItem) -> Iterator[LTChar]:
    if isinstance(item, LTChar):
        yield item
    elif isinstance(item, LTContainer):
        for child in item:
            yield from characters(child)


def test_every_document_renders_to_a4_pdf_with_no_template_text(demo_data):
    urls = document_urls()
    assert len(urls) >= 10  # every product's documents, every release's report, the board's
    clients = {}  # each organisation's documents fetched by its own CSO
    for membership in Membership.objects.filter(role=Role.CSO).select_related("user"):
        clients.setdefault(membership.organisation_id, logged_in(membership.user))
    problems = []
    for organisation, url in urls:
        response = clients[organisation.pk].get(url)
        assert response.status_code == 200, url
        problems += page_problems(url, response.content)
    assert problems == []


def test_every_issued_document_in_the_demo_is_a4_with_no_template_text(demo_data):
    issued = list(IssuedDocument.objects.all())
    assert {d.kind for d in issued} >= {"safety-case-report", "hazard-log", "in-use-review"}
    problems = [p for d in issued for p in page_problems(d.filename, bytes(d.content))]
    assert problems == []


def test_word_documents_are_a4(cso_client):
    product = Product.objects.get(slug="demo-eprescribing")
    release = product.releases.first()
    for url in (
        f"/products/{product.slug}/documents/hazard-log.docx",
        f"/products/{product.slug}/documents/plan.docx",
        f"/products/{product.slug}/releases/{release.version}/safety-case-report.docx",
    ):
        document = Docx(io.BytesIO(cso_client.get(url).content))
        sizes = {(round(s.page_width.mm), round(s.page_height.mm)) for s in document.sections}
        portrait = (round(Mm(210).mm), round(Mm(297).mm))
        assert sizes <= {portrait, portrait[::-1]} and portrait in sizes, url
        text = "\n".join(p.text for p in document.paragraphs)
        assert not TEMPLATE_TEXT.search(text), url


def test_the_report_draws_the_argument_a_piece_to_a_landscape_page_at_a_readable_size(
    cso_client,
):
    content = cso_client.get(
        "/products/demo-eprescribing/releases/2.4.0/safety-case-report.pdf"
    ).content
    pages = list(extract_pages(io.BytesIO(content)))
    landscape = [p for p in pages if p.bbox[2] - p.bbox[0] > p.bbox[3] - p.bbox[1]]
    # The top of the argument, then its 15 hazards a few to a page.
    assert 4 <= len(landscape) < len(pages)
    for page in landscape:
        chars = [c for c in characters(page) if c.get_text().strip()]
        text = "".join(c.get_text() for c in chars)
        assert "Strategy" in text or "Evidence" in text  # a diagram, not a wide table
        # Diagram text is drawn at 10 pt and scaled to fit: it must stay readable in print.
        assert min(c.size for c in chars) >= 6.5


def test_the_word_report_puts_each_argument_diagram_on_a_landscape_page(cso_client):
    content = cso_client.get(
        "/products/demo-eprescribing/releases/2.4.0/safety-case-report.docx"
    ).content
    document = Docx(io.BytesIO(content))
    landscape = [s for s in document.sections if s.page_width > s.page_height]
    assert len(landscape) >= 1
    pictures = document.inline_shapes
    assert len(pictures) >= 4
    assert all(p.width <= Mm(257) and p.height <= Mm(150) for p in pictures)
