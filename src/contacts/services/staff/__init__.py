"""Staff accounts, their departments and permissions, and their sign-in sessions."""
