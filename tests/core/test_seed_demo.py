"""`clinsafe seed-demo` and the `clinsafe` command."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from clinsafe.audit.models import AuditEvent
from clinsafe.cli import main
from clinsafe.core.models import Membership
from clinsafe.hazards.models import Hazard, RiskEstimate
from clinsafe.products.models import Product

pytestmark = pytest.mark.django_db


def test_it_loads_a_realistic_e_prescribing_hazard_log(capsys):
    call_command("seed_demo")
    product = Product.objects.get(slug="demo-eprescribing")
    assert product.hazards.count() >= 12
    assert RiskEstimate.objects.filter(stage="residual").count() >= 10
    assert set(Hazard.objects.values_list("status", flat=True)) >= {"open", "controlled"}
    raised = AuditEvent.objects.filter(
        event_type="hazard.raised", subject_id__in=product.hazards.values("pk")
    )
    assert raised.count() == product.hazards.count()
    out = capsys.readouterr().out
    assert "Demo logins (password: clinsafe-demo):" in out
    for username in ("cso", "reviewer", "engineer", "executive", "viewer"):
        assert authenticate(username=username, password="clinsafe-demo") is not None
        assert f"  {username}" in out


def test_it_is_idempotent():
    def counts():
        return [model.objects.count() for model in (Hazard, Membership, AuditEvent)]

    call_command("seed_demo")
    before = counts()
    call_command("seed_demo")
    assert counts() == before


def test_it_refuses_a_production_configuration_unless_forced(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="Refusing to load demo data into a production"):
        call_command("seed_demo")
    assert not Product.objects.exists()
    call_command("seed_demo", force=True)
    assert Product.objects.filter(slug="demo-eprescribing").exists()


def test_the_clinsafe_command_accepts_hyphenated_command_names(capsys):
    main(["clinsafe", "seed-demo"])
    assert "Demo product 'MedsFlow e-Prescribing'" in capsys.readouterr().out
