"""Cross-cutting suites: stateful, kill, hardening, faults, secrets, fuzzing, conformance, docs and layout."""
