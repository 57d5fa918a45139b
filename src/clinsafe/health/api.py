"""The CSO health check in the API: the same needs, statuses and evidence as the page."""

from __future__ import annotations

from rest_framework import serializers

from clinsafe.health.needs import Status

HEALTH_STATUS_CHOICES = [(s.value, s.label) for s in Status]


class NeedSerializer(serializers.Serializer):
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=HEALTH_STATUS_CHOICES)
    summary = serializers.CharField()
    evidence = serializers.ListField(child=serializers.CharField())
    rule = serializers.CharField(help_text="The thresholds that produced the status.")
    remedy = serializers.CharField(help_text="What would make the role real; empty when sound.")


class NeedsSerializer(serializers.Serializer):
    credentials = NeedSerializer()
    understanding = NeedSerializer()
    time = NeedSerializer()
    process = NeedSerializer()
    authority = NeedSerializer()
    early_engagement = NeedSerializer()


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class CsoHealthSerializer(serializers.Serializer):
    """Is this product's CSO real? Each need judged from the records over the period."""

    product = serializers.CharField()
    cso = serializers.CharField(allow_null=True)
    period = PeriodSerializer()
    status = serializers.ChoiceField(choices=HEALTH_STATUS_CHOICES)
    needs = NeedsSerializer()
