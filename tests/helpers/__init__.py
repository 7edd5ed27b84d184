"""Servers, doubles and utilities the tests share; no tests here."""
