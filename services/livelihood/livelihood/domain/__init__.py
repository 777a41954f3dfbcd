"""The livelihood service's domain: pure (no I/O), unit-tested on its own."""
