"""Services hold the rules; only they touch Piccolo tables."""
