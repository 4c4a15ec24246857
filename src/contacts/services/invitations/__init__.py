"""Invitations: guest lists drawn from other lists, RSVP answers, attendance."""
