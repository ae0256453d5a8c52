"""medallion-lab: the shared pieces of every pipeline (settings, contracts, lake layout)."""
