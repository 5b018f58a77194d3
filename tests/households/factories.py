import datetime

import factory
from django.utils import timezone

from households.models import (
    Building,
    Campaign,
    Community,
    Compound,
    Household,
    Resident,
    ResidentTag,
    Role,
    RoleAssignment,
    SmsTemplate,
    Street,
    Tag,
    Zone,
)
from households.residents import last4, name_initials
from lockdown.core.identity import id_check_char, parse_mainland_id
from lockdown.models import User


def valid_id_number(serial, birth=None, sex="M"):
    """A valid, unique-per-serial mainland ID number (the birth date moves with the serial)."""
    birth = birth or datetime.date(1970, 1, 1) + datetime.timedelta(days=serial // 100)
    digit = (serial * 2 + (1 if sex == "M" else 0)) % 10
    first17 = f"310105{birth:%Y%m%d}{serial % 100:02d}{digit}"
    return first17 + id_check_char(first17)


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street

    name = factory.Sequence(lambda n: f"街道{n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"居民区{n}")


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"小区{n}")


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    compound = factory.SubFactory(CompoundFactory)
    name = factory.Sequence(lambda n: f"块区{n}")


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    zone = factory.SubFactory(ZoneFactory)
    compound = factory.SelfAttribute("zone.compound")
    community = factory.SelfAttribute("compound.community")
    number = factory.Sequence(lambda n: str(n + 1))


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    community = factory.SelfAttribute("building.community")
    unit = "1"
    room = factory.Sequence(lambda n: str(101 + n))


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    household = factory.SubFactory(HouseholdFactory)
    community = factory.SelfAttribute("household.community")
    building = factory.SelfAttribute("household.building")
    name = factory.Sequence(lambda n: f"张{'一二三四五六七八九十'[n % 10]}{n}")
    name_initials = factory.LazyAttribute(lambda r: name_initials(r.name))
    id_number = factory.Sequence(lambda n: valid_id_number(n))
    id_last4 = factory.LazyAttribute(lambda r: last4(r.id_number))
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    phone_last4 = factory.LazyAttribute(lambda r: last4(r.phone))
    birth_date = factory.LazyAttribute(lambda r: parse_mainland_id(r.id_number).birth_date)
    sex = factory.LazyAttribute(lambda r: parse_mainland_id(r.id_number).sex)


class ResidentTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResidentTag

    resident = factory.SubFactory(ResidentFactory)
    community = factory.SelfAttribute("resident.community")
    building = factory.SelfAttribute("resident.building")
    tag = Tag.CHRONIC


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with_role(role, area, **kwargs):
    user = UserFactory(**kwargs)
    field = {
        Role.STREET_ADMIN: "street",
        Role.COMMITTEE_STAFF: "community",
        Role.ZONE_LEADER: "zone",
        Role.BUILDING_LEADER: "building",
        Role.VOLUNTEER: "building",
    }[role]
    RoleAssignment.objects.create(user=user, role=role, **{field: area})
    return user


class SmsTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SmsTemplate

    name = "返回通知"
    code = "SMS_100001"
    body = "${name}您好：${compound}将于${deadline}起封闭管理，请尽快返回并联系居委会${phone}。"
    params = "name,compound,deadline,phone"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    community = factory.SubFactory(CommunityFactory)
    title = "召回在外居民"
    template = factory.SubFactory(SmsTemplateFactory)
    deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    contact_phone = "021-58001234"
    created_by = factory.SubFactory(UserFactory)
