"""Campaigns: drafts and their states, who receives them (audience), bounces, and what staff do with them
(`campaign_operations`: permission checks and the audit log around the rules)."""
