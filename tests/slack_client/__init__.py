"""Tests for the webhook client package."""
