"""Test support shared by every service's tests: the harness is a pytest plugin."""
