"""Sources the pipeline extracts from, other than files: the shop's PostgreSQL database."""
