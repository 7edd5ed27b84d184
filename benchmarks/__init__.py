"""Benchmarks of the integration against slack_sdk's AsyncWebhookClient.

Run `scripts/benchmark` (inside the project's environment it runs
`python -m benchmarks`); `--quick` makes a short run with small bursts,
`--no-bursts` leaves out (c), which takes about 95 seconds.

The hook is a Slack-like HTTPS server in a process of its own, with a
certificate from a CA made at run time (trustme). Figures are printed with
the ratios measured in the same run; nothing about wall-clock is asserted.

(a) sequential throughput over HTTPS: ours on a shared session, slack_sdk as
    it defaults (a new session per send), slack_sdk given a session, and the
    floor, a bare session.post on the same session;
(b) the Home Assistant path per message (action call to delivered) against
    the raw client, in a Home Assistant core with the integration loaded;
(c) bursts against a hook taking one message per second: ours (the delivery
    queue) against slack_sdk with its rate-limit retry handler;
(d) latency through a relay that adds a round trip: p50 and p95 per message;
(f) a real hass process, through its REST API: our actions against
    rest_command to the same hook (`scripts/benchmark-ha`, benchmarks.real_hass).
(e) the outbox as it grows: the call cost over the first and last 500 of
    10,000 messages queued during an outage, and the bytes written per
    message while queuing and draining (`--only e` runs it alone).
(g) Assist: a slash command acknowledged (request to HTTP 200, p50 and p95)
    while the agent answers in 0, 1 and 10 seconds (benchmarks.assist).
"""
