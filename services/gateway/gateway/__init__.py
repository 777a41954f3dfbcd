"""The public entry: identity, village scoping, routing and county views."""
