"""The retention engine (REQ-9/10/13): the rules per purpose (rules), a run with a dry run (engine), its
daily schedule while serving (daily), and the clock a person's own actions restart (activity)."""
