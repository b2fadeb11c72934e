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


def _settings_of(env, *names):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("SIGAP_", "DATABASE_URL"))}
    full.update(env, DJANGO_SETTINGS_MODULE="sigap.settings")
    code = "from django.conf import settings as s; print(" + ",".join(
        f"s.{n}" for n in names) + ", sep='|')"
    out = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True,
                         text=True, timeout=60, check=True).stdout.strip()
    return out.split("|")


def test_make_serve_runs_without_debug_on_a_key_kept_in_var(tmp_path):
    from pathlib import Path

    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    assert "serve: export SIGAP_DEBUG = 0" in makefile
    assert "serve: export SIGAP_SECRET_KEY_FILE = $(CURDIR)/var/secret_key" in makefile
    key_file = tmp_path / "var" / "secret_key"
    env = {"SIGAP_DEBUG": "0", "SIGAP_SECRET_KEY_FILE": str(key_file),
           "SIGAP_VAR_DIR": str(tmp_path / "var")}
    debug, key = _settings_of(env, "DEBUG", "SECRET_KEY")
    assert debug == "False" and len(key) >= 50 and "insecure" not in key
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert _settings_of(env, "SECRET_KEY") == [key]  # kept, not made anew
