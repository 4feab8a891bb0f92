import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from stdnum.cn import uscc

from accounts.models import Organisation, OrgKind, Province, Role, User

PASSWORD = "Test-password-2026"


def make_uscc(n: int, region: str = "310115") -> str:
    body = f"91{region}MA{n:07d}"
    body = body[:17]
    return body + uscc.calc_check_digit(body)


class ExporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrgKind.EXPORTER
    code = factory.Sequence(lambda n: make_uscc(n + 100))
    name_zh = factory.Sequence(lambda n: f"测试出口公司{n}")
    name_en = factory.Sequence(lambda n: f"Test Exporter {n} Co., Ltd.")
    address = "上海市浦东新区测试路 1 号"
    province = factory.LazyFunction(lambda: Province.objects.get(pk="31"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.EXPORTER_STAFF
    organisation = factory.SubFactory(ExporterFactory)

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()


def authority(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(name="certificate.pdf", content=None):
    return SimpleUploadedFile(name, content if content is not None else pdf_bytes(),
                              content_type="application/pdf")


DRAFT = {
    "destination": "DE",
    "end_use": "Research on permanent-magnet motors / 永磁电机研究",
    "importer": {"name": "Magnetec Handels GmbH", "address": "Industriestr. 5, Stuttgart", "country": "DE"},
    "end_user": {"name": "Motorenwerk München GmbH", "address": "Hansastr. 27, München", "country": "DE"},
    "item": {"control_code": "1C902.a", "description": "Samarium-cobalt alloy 钐钴合金",
             "quantity": "25", "unit": "kg", "value_rmb": "180000"},
}
