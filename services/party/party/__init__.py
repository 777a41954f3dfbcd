"""党建: party organisation over the grids, members, points, study days and deliberation."""
