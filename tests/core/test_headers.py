"""What every response carries: a Content-Security-Policy whose nonce the page's own inline
script and style use, no caching of safety records, the frontend's icons, and one log entry
for a refused request."""

import logging
import re

import pytest
from django.test import Client

from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def test_pages_allow_only_their_own_scripts_and_are_not_cached(hazard, tom):
    page = logged_in(tom).get(f"/products/{hazard.product.slug}/hazards/{hazard.number}/")
    policy = page["Content-Security-Policy"]
    nonce = re.search(r"script-src 'self' 'nonce-([\w-]+)'", policy).group(1)
    html = page.content.decode()
    assert html.count(f'nonce="{nonce}"') == 3  # the style, and the two scripts
    assert "<script>" not in html and "<style>" not in html
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert page["Cache-Control"] == "no-store"


def test_each_response_has_its_own_nonce(tom, product):
    client = logged_in(tom)
    first, second = (client.get("/products/")["Content-Security-Policy"] for _ in range(2))
    assert first != second


def test_the_frontends_icons_are_found_where_its_stylesheet_asks():
    response = Client().get("/assets/images/nhsuk-icon-cross.svg")
    assert response.status_code == 301
    assert response["Location"] == "/static/nhsuk/assets/images/nhsuk-icon-cross.svg"
    assert Client().get("/assets/images/no-such-icon.svg").status_code == 404


def test_a_refused_request_is_written_to_the_console_once():
    """Each handler a record from django.request reaches writes it: Django's own console
    handler and the root's would print every 403's traceback twice."""
    handlers, logger = [], logging.getLogger("django.request")
    while logger:
        handlers += [h for h in logger.handlers if type(h) is logging.StreamHandler]
        logger = logger.parent if logger.propagate else None
    assert len(handlers) == 1
