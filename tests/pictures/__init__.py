"""Tests of the pictures package."""
