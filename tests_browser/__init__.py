"""The real-browser test of the Slack Webhook integration (scripts/browser-test)."""
