"""Inbound mail: bounces, complaints and mailto unsubscribes that feed the suppression list (REQ-22, REQ-41).

`verp` reads our own addresses and the signed ids in them, `classify` says what a message is, `handle`
acts on it through the services, and `server` receives it by SMTP or from an MTA's pipe.
"""
