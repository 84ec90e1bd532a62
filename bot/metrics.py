"""Prometheus metrics. Labels are kinds and outcomes only: never a person, a request or a text."""

from prometheus_client import CollectorRegistry, Counter

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "peer_support_http_requests",
    "HTTP requests served, by route and status.",
    ["route", "status"],
    registry=REGISTRY,
)
JOBS = Counter(
    "peer_support_jobs",
    "Due jobs run, by kind and outcome.",
    ["kind", "outcome"],
    registry=REGISTRY,
)
