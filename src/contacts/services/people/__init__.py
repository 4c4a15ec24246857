"""People and their choices: consent and its proofs, preferences, the consent ledger, suppression, and what
staff do with contacts (`people_operations`: scoped views, rectification, the suppression desk, all audited)."""
