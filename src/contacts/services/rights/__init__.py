"""Data-subject rights: requests and their deadlines, the public form, identity checks, restriction,
propagation to recipients, erasure, after-death directives, the person's export, and the staff desk
(`rights_operations`: permission checks and the audit log around the rules)."""
