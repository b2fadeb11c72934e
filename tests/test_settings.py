"""Configuration: loud failure on bad values, production refuses insecure settings."""

import os
import secrets
import subprocess
import sys

import pytest

GOOD_KEY = secrets.token_urlsafe(50)


def run_check(env, *args):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("SIGAP_", "DATABASE_URL"))}
    full.update(env)
    return subprocess.run([sys.executable, "-m", "sigap.cli", "check", *args], env=full,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("env,message", [
    ({"SIGAP_ENV": "production"}, "SIGAP_SECRET_KEY must be set"),
    ({"SIGAP_ENV": "production", "SIGAP_SECRET_KEY": "short"}, "SIGAP_SECRET_KEY must be set"),
    ({"SIGAP_ENV": "production", "SIGAP_SECRET_KEY": GOOD_KEY, "SIGAP_DEBUG": "1"},
     "SIGAP_DEBUG must be off"),
    ({"SIGAP_DEBUG": "maybe"}, "SIGAP_DEBUG must be a boolean"),
    ({"SIGAP_WORKERS": "two"}, "SIGAP_WORKERS must be an integer"),
    ({"SIGAP_ENV": "staging"}, "SIGAP_ENV must be"),
])
def test_it_refuses_to_start_on_bad_configuration(env, message):
    result = run_check(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_deploy_check_is_clean():
    result = run_check({"SIGAP_ENV": "production", "SIGAP_SECRET_KEY": GOOD_KEY,
                        "SIGAP_ALLOWED_HOSTS": "sigap.example.org"}, "--deploy")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_development_deploy_check_names_the_insecure_settings():
    result = run_check({}, "--deploy")
    assert "sigap.E001" in result.stderr and "sigap.E002" in result.stderr
