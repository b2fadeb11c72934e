"""Sigap: citizen reporting and quick response for Indonesian cities."""
