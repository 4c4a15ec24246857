"""Recipients' pages: no login, no cookie, nothing that reveals who is or isn't a contact (REQ-11, REQ-25)."""
