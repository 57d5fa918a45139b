"""The argument pages, used as people would: Priya the CSO, Sam an engineer, Alex a viewer."""

import io
import zipfile

import pytest
from django.urls import reverse

from clinsafe.argument import services as argument
from clinsafe.argument.services import argument_of
from tests.argument.test_yaml import GSN2X
from tests.conftest import logged_in
from tests.gate.conftest import assessed

pytestmark = pytest.mark.django_db
PAGE = "/products/medsflow/argument/"


def test_the_argument_page_draws_the_diagram_outline_and_findings(cso, sam, product):
    assessed(product, cso, initial=(1, 2), residual=(1, 1), title="Wrong <b>patient</b>")
    client = logged_in(sam)
    client.post(f"{PAGE}build/")
    page = client.get(PAGE).text
    assert "<svg" in page and 'class="node"' in page  # drawn by Graphviz on the server
    assert f'xlink:href="{PAGE}nodes/G-H-001/"' in page
    assert "[1 error]" in page and ">1 error<" in page  # the state in words, not colour alone
    assert "Wrong &lt;b&gt;patient&lt;/b&gt;" in page
    assert "<b>patient</b>" not in page
    assert "0 of 0 doubts eliminated" in page
    # Each finding names its check in words, never by its code.
    assert "Every hazard is addressed by a fully developed claim" in page
    assert "hazard-uncovered" not in page


def test_a_node_is_added_edited_and_linked_from_the_pages(cso, sam, product):
    client = logged_in(sam)
    revision = argument_of(product).revision
    added = client.post(f"{PAGE}nodes/new/?kind=claim",
                        {"revision": revision, "text": "MedsFlow is safe.",
                         "declaration": "asserted"})  # fmt: skip
    assert added.status_code == 302 and added["Location"] == f"{PAGE}nodes/G1/"
    client.post(f"{PAGE}nodes/new/?kind=context", {"revision": revision + 1, "text": "Wards.",
                "parent": "G1", "link": "in context of"})  # fmt: skip
    node = client.get(f"{PAGE}nodes/G1/").text
    assert "MedsFlow is safe." in node and "C1" in node
    refused = client.post(f"{PAGE}nodes/G1/link/", {"revision": revision + 2, "target": "C1",
                          "link": "supported by"}, follow=True)  # fmt: skip
    assert "A claim supported by link must go to a claim, evidence or strategy, not a context." in (
        refused.text
    )


def test_a_viewer_sees_the_argument_but_may_not_change_it(cso, alex, product):
    argument.add_node(actor=cso, product=product, revision=1, kind="claim", text="Safe.")
    client = logged_in(alex)
    assert client.get(PAGE).status_code == 200
    assert "Argue over all hazards" not in client.get(PAGE).text
    assert client.post(f"{PAGE}build/").status_code == 302
    assert argument_of(product).revision == 2  # unchanged: refused with a message
    assert client.get(f"{PAGE}nodes/new/?kind=claim").status_code == 403


def test_a_bad_file_is_refused_on_the_import_page_with_each_line(cso, product):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = logged_in(cso)
    bad = SimpleUploadedFile("a.yaml", b"G1:\n  text: A\n  supportedBy: [S9]\n")
    page = client.post(f"{PAGE}import/", {"file": bad}).text
    assert "Line 3: G1.supportedBy names &#x27;S9&#x27;, which is not a node in the file" in page
    good = SimpleUploadedFile("a.yaml", GSN2X.encode())
    assert client.post(f"{PAGE}import/", {"file": good}).status_code == 302
    assert client.get(f"{PAGE}export.yaml").content.decode().startswith("G1:\n  text: The system")


def test_an_argument_in_module_files_is_imported_together_from_the_page(cso, product):
    from django.core.files.uploadedfile import SimpleUploadedFile

    top = b"module:\n  name: top\n  uses: [hazards]\nG1:\n  text: Safe.\n  supportedBy: [S1]\n"
    rest = b"module:\n  name: hazards\nS1:\n  text: Over the hazards.\n  supportedBy: [G2]\n"
    rest += b"G2:\n  text: H-001 is acceptable.\n  undeveloped: true\n"
    client = logged_in(cso)
    files = [SimpleUploadedFile("top.yaml", top), SimpleUploadedFile("hazards.yaml", rest)]
    assert client.post(f"{PAGE}import/", {"file": files}).status_code == 302
    assert [(e.source, e.target) for e in argument_of(product).graph.edges] == [
        ("G1", "S1"), ("S1", "G2")
    ]  # fmt: skip
    exported = zipfile.ZipFile(io.BytesIO(client.get(f"{PAGE}export.yaml").content))
    assert exported.namelist() == ["top.yaml", "hazards.yaml"]  # written back as imported
    assert exported.read("top.yaml").decode().startswith("module:\n  name: top\n")
    alone = client.post(f"{PAGE}import/", {"file": SimpleUploadedFile("top.yaml", top)}).text
    assert "Line 3: module top uses &#x27;hazards&#x27;, which is not one of the files" in alone


def test_a_node_whose_id_is_any_text_has_its_own_page(cso, product):
    from clinsafe.argument.services import import_argument

    odd = "Ziel/Sicherheit ü 1"
    import_argument(actor=cso, product=product, files=[("odd.yaml",
        f"'{odd}':\n  nodeType: Goal\n  text: Sicher.\n  supportedBy: [Sn1]\nSn1:\n  text: T.\n"
    )])  # fmt: skip
    client = logged_in(cso)
    page = client.get(PAGE)
    link = reverse("argument-node", args=[product.slug, odd])
    assert link in page.text
    node = client.get(link)
    assert node.status_code == 200 and f"<h1>{odd}</h1>" in node.text
    assert client.get(reverse("argument-node-edit", args=[product.slug, odd])).status_code == 200
