"""The register over REST: the same scoping and masking as the pages, read-only but for presence
and the audited reveal."""

from collections.abc import Mapping

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lockdown.api import IdFilter, IdFilterSet, router

from . import services
from .models import Building, Community, Compound, Household, Presence, Resident, ResidentTag, Tag, Zone
from .residents import RESIDENT_FIELDS
from .scoping import scope_of


class ScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def get_queryset(self):
        return scope_of(self.request).filter(self.queryset)


class CommunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ["id", "street", "name", "phone"]


class CompoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Compound
        fields = ["id", "community", "name", "control_level"]


class ZoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Zone
        fields = ["id", "compound", "name"]


class BuildingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Building
        fields = ["id", "community", "compound", "zone", "number", "control_level"]


class HouseholdSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Household
        fields = ["id", "building", "unit", "room", "label"]

    def to_representation(self, household):
        permissions = scope_of(self.context["request"]).permissions_for(household)
        return permissions.readable(super().to_representation(household), of=Household)


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResidentTag
        fields = ["tag", "note", "condition", "medicine", "due_date"]


# The resident's fields the API serves: all but the notes, which it has never served. They are
# free text that often says more than a field (an illness, a family matter): serving them would be
# a decision about who reads what (scoping.FIELDS), not a longer list.
RESIDENT_API_FIELDS = tuple(name for name in RESIDENT_FIELDS if name != "notes")


class ResidentSerializer(serializers.ModelSerializer):
    """Each field as the role over the resident's building reads it (scoping.FIELDS): numbers
    masked, the birth date's month only for a leader, everything else empty for a volunteer, who
    reads rooms, names, tags and presence only; POST .../reveal/ returns a number and records who asked."""

    tags = TagSerializer(many=True, read_only=True)
    # Text, not a date: a leader reads the year and month only (scoping.FIELDS), "1961-07".
    birth_date = serializers.CharField(
        read_only=True, allow_null=True, help_text="YYYY-MM-DD, or YYYY-MM where the role reads the month only."
    )

    class Meta:
        model = Resident
        fields = ["id", "household", *RESIDENT_API_FIELDS, "tags"]
        # What a role may not read comes back empty (scoping.NOT_READ): the schema says it can.
        extra_kwargs = {"document_type": {"allow_blank": True}, "party_member": {"allow_null": True}}

    def to_representation(self, resident):
        permissions = scope_of(self.context["request"]).permissions_for(resident.household)
        data = permissions.readable(super().to_representation(resident))
        data["tags"] = [permissions.readable(tag, of=ResidentTag) for tag in data["tags"]]
        return data


class CommunityViewSet(ScopedViewSet):
    queryset = Community.objects.all()
    serializer_class = CommunitySerializer


class CompoundViewSet(ScopedViewSet):
    queryset = Compound.objects.all()
    serializer_class = CompoundSerializer
    filterset_fields = ["community"]


class ZoneViewSet(ScopedViewSet):
    queryset = Zone.objects.all()
    serializer_class = ZoneSerializer
    filterset_fields = ["compound"]


class BuildingViewSet(ScopedViewSet):
    queryset = Building.objects.all()
    serializer_class = BuildingSerializer
    filterset_fields = ["community", "compound", "zone", "control_level"]


class HouseholdViewSet(ScopedViewSet):
    queryset = Household.objects.select_related("building__community").order_by("id")
    serializer_class = HouseholdSerializer
    filterset_fields = ["building", "building__zone", "community"]


class ResidentFilter(IdFilterSet):
    tag = django_filters.ChoiceFilter(choices=Tag.choices, field_name="tags__tag")
    building = IdFilter(field_name="building")
    zone = IdFilter(field_name="building__zone")
    name = django_filters.CharFilter(field_name="name", lookup_expr="startswith")

    class Meta:
        model = Resident
        fields = ["household", "presence", "tag", "building", "zone", "name"]


def posted_text(request, name):
    """The text posted as `name`, or None: a body that is a JSON list, or a value that is a list or
    an object, is refused by the service's own check, with its message."""
    value = request.data.get(name) if isinstance(request.data, Mapping) else None
    return value if isinstance(value, str) else None


class ResidentViewSet(ScopedViewSet):
    queryset = Resident.objects.select_related("household__building__community").prefetch_related("tags").order_by("id")
    serializer_class = ResidentSerializer
    filterset_class = ResidentFilter

    @extend_schema(
        request=inline_serializer("Presence", {"presence": serializers.ChoiceField(choices=Presence.choices)}),
        responses=ResidentSerializer,
    )
    @action(detail=True, methods=["post"])
    def presence(self, request, pk=None):
        resident = self.get_object()
        services.resident_set_presence(actor=request.user, resident=resident, presence=posted_text(request, "presence"))
        return Response(self.get_serializer(resident).data)

    @extend_schema(
        request=inline_serializer("Reveal", {"field": serializers.ChoiceField(choices=["id_number", "phone"])}),
        responses=inline_serializer("Revealed", {"value": serializers.CharField()}),
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        resident = self.get_object()
        value = services.resident_reveal(
            actor=request.user,
            resident=resident,
            field_name=posted_text(request, "field"),
            ip_address=request.META.get("REMOTE_ADDR"),
        )
        return Response({"value": value})


# On the project's router (lockdown.api), served under /api/.
router.register("communities", CommunityViewSet)
router.register("compounds", CompoundViewSet)
router.register("zones", ZoneViewSet)
router.register("buildings", BuildingViewSet)
router.register("households", HouseholdViewSet)
router.register("residents", ResidentViewSet)
