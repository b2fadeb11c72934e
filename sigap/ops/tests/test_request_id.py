"""The request id: from the load balancer's header into the answer, the logs and the jobs."""

import io
import json
import logging

import pytest
from huey.contrib.djhuey import db_task
from pythonjsonlogger.json import JsonFormatter

from sigap.lib import requestid

seen = []


@db_task()
def remember_request_id():
    seen.append(requestid.current.get())
    logging.getLogger("sigap.tests.job").warning("job ran")


def test_it_keeps_an_acceptable_id_and_replaces_anything_else():
    assert requestid.accept("lb-1a2b.3:4") == "lb-1a2b.3:4"
    made = requestid.accept("bad id\nwith a newline")
    assert made != "bad id\nwith a newline" and len(made) == 32
    assert requestid.accept("x" * 65) != "x" * 65


@pytest.mark.django_db
def test_the_answer_carries_the_load_balancers_id_or_a_new_one(client):
    assert client.get("/", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    assert len(client.get("/")["X-Request-ID"]) == 32


def test_a_job_runs_under_the_id_of_the_request_that_queued_it():
    seen.clear()
    token = requestid.current.set("req-42")
    try:
        remember_request_id()
    finally:
        requestid.current.reset(token)
    assert requestid.current.get() == ""
    remember_request_id()  # queued outside any request: an id of its own
    assert seen[0] == "req-42" and len(seen[1]) == 32


def test_json_logs_carry_the_request_id():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(requestid.RequestIdFilter())
    handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(request_id)s %(message)s"))
    logger = logging.getLogger("sigap.tests.job")
    logger.addHandler(handler)
    try:
        token = requestid.current.set("req-77")
        try:
            remember_request_id()
        finally:
            requestid.current.reset(token)
    finally:
        logger.removeHandler(handler)
    line = json.loads(out.getvalue().splitlines()[-1])
    assert line == {"levelname": "WARNING", "name": "sigap.tests.job", "request_id": "req-77",
                    "message": "job ran"}
