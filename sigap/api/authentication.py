"""REST authentication that follows the staff second-factor rule (accounts.twofactor)."""

from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication, TokenAuthentication

from sigap.accounts import twofactor
from sigap.cities import tenancy


class CityTokenAuthentication(TokenAuthentication):
    """A token, as DRF reads it; a staff member's token narrows the request to their cities
    (the session's user was scoped by the middleware already; a token's is known only
    here)."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None:
            tenancy.narrow_to(found[0])
        return found



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
