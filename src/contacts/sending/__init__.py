"""The sending pipeline: rendering, message headers, SMTP transport, delivery queue and worker."""
