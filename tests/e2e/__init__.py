"""End-to-end tests: the platform as `make run` runs it, driven through the gateway."""
