"""网格化治理: micro-grids, the three chiefs, volunteer teams and residents' issues."""
