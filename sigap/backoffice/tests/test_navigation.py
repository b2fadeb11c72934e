"""The office navigation leads the people who may read the dashboard to it."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role,agency,shown", [
    ("head", "DLHK", True), ("admin", None, True), ("dispatcher", "DLHK", False)])
def test_the_office_links_to_the_dashboard_only_for_its_readers(client, make_user, role,
                                                                agency, shown):
    client.force_login(make_user(role, agency=agency))
    page = client.get("/office/")
    assert page.status_code == 200
    assert ('href="/dasbor/"' in page.content.decode()) is shown
