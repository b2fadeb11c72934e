"""REST authentication that follows the staff second-factor rule (accounts.twofactor)."""

from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication

from sigap.accounts import twofactor


class VerifiedSessionAuthentication(SessionAuthentication):
    """The browser's session, except one that still owes its second factor: that counts as
    no session here, as the office and the admin send it to /akun/2fa/ first."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None and twofactor.needs_second_factor(found[0]):
            return None
        return found


class VerifiedSessionScheme(SessionScheme):
    """The OpenAPI description: the same cookie as Django's session authentication."""

    target_class = VerifiedSessionAuthentication
