"""集体经济: collective contracts, clearing, income, co-operatives and enterprises."""
