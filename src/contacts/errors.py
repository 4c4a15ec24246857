"""Domain errors. No HTTP here: the web layer maps them to status codes."""


class ContactsError(Exception):
    """Base of every error the product raises on purpose."""


class ConfigurationError(ContactsError):
    """A setting or the purpose configuration is wrong; the message names it."""


class ValidationError(ContactsError):
    """Input is wrong; `field` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFoundError(ContactsError):
    pass


class ConflictError(ContactsError):
    pass


class AuthenticationError(ContactsError):
    """No valid credentials: sign in, or send a valid API token."""


class PermissionDeniedError(ContactsError):
    """Signed in, but the role is not empowered for this action or purpose (REQ-7)."""
