from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sigap.agencies.models import Agency


@pytest.mark.django_db
def test_it_refuses_office_hours_ending_before_they_start_in_the_model(kupang):
    agency = Agency.objects.filter(city=kupang).first()
    agency.work_start, agency.work_end = time(16), time(8)
    with pytest.raises(ValidationError) as caught:
        agency.full_clean()
    assert "work_end" in caught.value.message_dict


@pytest.mark.django_db
def test_it_refuses_them_in_the_database_too(kupang):
    agency = Agency.objects.filter(city=kupang).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(pk=agency.pk).update(work_start=time(9), work_end=time(9))


@pytest.mark.django_db
def test_the_admin_form_shows_the_error(client, make_user, kupang):
    admin = make_user("admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    agency = Agency.objects.filter(city=kupang).first()
    url = f"/admin/agencies/agency/{agency.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update({"city": kupang.pk, "work_start": "16:00", "work_end": "08:00"})
    answer = client.post(url, data)
    assert answer.status_code == 200
    assert "work_end" in answer.context["adminform"].form.errors
    agency.refresh_from_db()
    assert agency.work_end > agency.work_start
