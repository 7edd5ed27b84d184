"""Tests of the automation blueprints in blueprints/."""
