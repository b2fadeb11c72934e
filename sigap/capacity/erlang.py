"""Queueing theory to check the simulation against: the M/M/c queue (Erlang C)."""

from __future__ import annotations


def erlang_c(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Return the probability that an arrival waits in an M/M/c queue (Erlang C)."""
    a = arrival_rate / service_rate  # offered load in erlangs
    if a >= servers:
        return 1.0
    term, total = 1.0, 1.0  # a^k / k!, summed for k < servers
    for k in range(1, servers):
        term *= a / k
        total += term
    last = term * a / servers * servers / (servers - a)  # a^c / c! * c / (c - a)
    return last / (total + last)


def mean_wait(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Return the mean wait in queue of an M/M/c queue, in the rates' time unit."""
    return erlang_c(servers, arrival_rate, service_rate) / (servers * service_rate - arrival_rate)
