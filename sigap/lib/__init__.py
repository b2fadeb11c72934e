"""Helpers that import no models."""
