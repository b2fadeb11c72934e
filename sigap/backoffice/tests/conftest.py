import pytest

PEOPLE = {
    # name: (account role, agency code) — DLHK handles SAMPAH reports; PUPR is another agency.
    "officer": ("officer", "DLHK"),
    "officer_other": ("officer", "PUPR"),
    "dispatcher": ("dispatcher", "DLHK"),
    "dispatcher_other": ("dispatcher", "PUPR"),
    "head": ("head", "DLHK"),
    "head_other": ("head", "PUPR"),
    "admin": ("admin", None),
    "executive": ("executive", None),
    "citizen": ("citizen", None),
}


@pytest.fixture
def people(make_user):
    """Return person(name): a user of that back-office role, created once per test."""
    made = {}

    def person(name):
        if name not in made:
            role, agency = PEOPLE[name]
            made[name] = make_user(role, agency=agency, email=f"{name}@sigap.test")
        return made[name]

    return person
