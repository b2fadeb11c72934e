import pytest


@pytest.fixture
def form_data():
    """Return the POST of a valid plain (no JavaScript) report form, with overrides."""

    def make(**overrides):
        data = {"key": "k" * 32, "category": "JALAN_RUSAK", "lat": "-10.1772",
                "lng": "123.6070", "description": "Jalan berlubang di depan sekolah",
                "address": "", "contact_name": "", "contact_phone": "", "contact_email": ""}
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return make


@pytest.fixture
def upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    def make(data: bytes, name="foto.jpg", content_type="image/jpeg"):
        return SimpleUploadedFile(name, data, content_type=content_type)

    return make
