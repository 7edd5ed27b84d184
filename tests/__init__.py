"""Tests for the Slack Webhook integration."""
