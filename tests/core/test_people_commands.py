"""Setting up an organisation from the command line, as the README shows."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from clinsafe.core.cso import cso_position
from clinsafe.products.models import Product

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_platform_administrator_sets_up_an_organisation_and_its_cso():
    User.objects.create_superuser("root", password="a-long-root-password-1")
    assert "Created Acme Health" in run(
        "create_organisation", "acme", "Acme Health", "--kind", "manufacturer", "--by", "root"
    )
    out = run(
        "add_person",
        "acme",
        "ada",
        "--first-name",
        "Ada",
        "--last-name",
        "Admin",
        "--role",
        "admin",
        "--by",
        "root",
    )
    password = out.strip().rsplit(" ", 1)[-1]
    assert User.objects.get(username="ada").check_password(password)
    run(
        "add_person",
        "acme",
        "priya",
        "--first-name",
        "Priya",
        "--last-name",
        "Shah",
        "--role",
        "cso",
        "--by",
        "ada",
    )
    from clinsafe.core.models import Organisation

    Product.objects.create(organisation=Organisation.objects.get(slug="acme"), name="P", slug="p")
    assert "Appointed: Clinical Safety Officer for P" in run(
        "appoint_cso",
        "acme",
        "priya",
        "--product",
        "p",
        "--hours",
        "12",
        "--can-block",
        "--by",
        "ada",
    )
    position = cso_position(Product.objects.get(slug="p"))
    assert position.appointment.user.username == "priya"
    assert position.appointment.can_block_release


def test_refusals_and_typos_are_clear_command_errors(northwind, tom):
    with pytest.raises(CommandError, match="Only a platform administrator may create"):
        run("create_organisation", "x", "X", "--kind", "manufacturer", "--by", "tom")
    with pytest.raises(CommandError, match="No organisation with the slug 'nope'"):
        run("grant_role", "nope", "tom", "viewer", "--by", "tom")
    with pytest.raises(CommandError, match="You may not manage members and roles"):
        run("grant_role", "northwind", "tom", "viewer", "--by", "tom")


def test_create_token_prints_a_working_key(tom):
    from django.test import Client

    key = run("create_token", "tom", "--name", "CI").strip()
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/products/").status_code == 200
