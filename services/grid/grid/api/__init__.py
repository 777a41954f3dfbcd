"""The grid service's HTTP API: commands and reads per village, and Open311 GeoReport v2."""
