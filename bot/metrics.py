"""Prometheus metrics. Labels are kinds and outcomes only: never a person, a request or a text."""

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "peer_support_http_requests",
    "HTTP requests served, by route and status.",
    ["route", "status"],
    registry=REGISTRY,
)
SUPPORT_REQUESTS = Counter(
    "peer_support_requests",
    "Support requests received, by urgency.",
    ["urgency"],
    registry=REGISTRY,
)
JOBS = Counter(
    "peer_support_jobs",
    "Due jobs run, by kind and outcome.",
    ["kind", "outcome"],
    registry=REGISTRY,
)
ACK_SECONDS = Histogram(
    "peer_support_ack_seconds",
    "Time from receiving a platform request to answering it.",
    ["platform"],
    registry=REGISTRY,
)
