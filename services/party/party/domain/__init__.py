"""党建: party organisation over the grids, the points system, study days, deliberation — pure."""
