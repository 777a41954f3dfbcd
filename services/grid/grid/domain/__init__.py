"""网格化治理: grids, the three chiefs, volunteer teams and residents' issues — pure, no I/O."""
