"""The database: Piccolo's engine and configuration, transactions, and the bulk driver for hot paths."""
