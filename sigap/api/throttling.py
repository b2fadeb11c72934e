"""DRF's throttles keyed by sigap.lib.clientip (never an X-Forwarded-For the client wrote)."""

from rest_framework import throttling

from sigap.lib.clientip import client_ip


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_ident(self, request):
        return client_ip(request)


class UserRateThrottle(throttling.UserRateThrottle):
    def get_ident(self, request):
        return client_ip(request)
