"""Filters of the deployment list, declared once for the API."""

from django_filters import rest_framework as filters

from clinsafe.deployments.models import Deployment


class DeploymentFilterSet(filters.FilterSet):
    organisation = filters.CharFilter(field_name="organisation__slug", max_length=80)

    class Meta:
        model = Deployment
        fields = ["organisation"]
