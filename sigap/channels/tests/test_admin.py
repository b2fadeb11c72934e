from sigap.channels.models import BlockedNumber, Conversation

PHONE = "6281234500001"


def test_the_administrator_sees_conversations_and_blocks_numbers(fake_wa, client, make_user):
    fake_wa.text(PHONE, "sampah")
    admin = make_user("admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    conv = Conversation.objects.get(phone=PHONE)
    listing = client.get("/admin/channels/conversation/")
    assert listing.status_code == 200 and PHONE in listing.content.decode()
    page = client.get(f"/admin/channels/conversation/{conv.pk}/change/")
    assert page.status_code == 200 and "photo" in page.content.decode()  # the draft's step
    added = client.post("/admin/channels/blockednumber/add/", {"phone": "+" + PHONE,
                                                               "reason": "spam"})
    assert added.status_code == 302 and BlockedNumber.objects.filter(phone="+" + PHONE).exists()
