"""Domain errors. No HTTP here: the web layer maps them to status codes."""


class ContactsError(Exception):
    """Base of every error the product raises on purpose. The message is English; written as a catalogue
    message (`N_("is %(n)s characters long")`, with its values as keywords), pages say it in their language."""

    def __init__(self, message: str = "", **values: object) -> None:
        super().__init__(message % values if values else message)
        self.template, self.values = message, values

    def said_in(self, lang: str) -> str:
        return _translated(lang, self.template, self.values) if self.template else str(self)


def _translated(lang: str, template: str, values: dict[str, object]) -> str:
    from contacts.i18n import (  # here: the command line starts without Babel
        Phrase,
        gettext,
    )

    return gettext(lang, template, **{name: value.said_in(lang) if isinstance(value, Phrase) else value
                                      for name, value in values.items()})


class ConfigurationError(ContactsError):
    """A setting or the purpose configuration is wrong; the message names it."""


class ValidationError(ContactsError):
    """Input is wrong; `field` names what to fix."""

    def __init__(self, field: str, message: str, **values: object) -> None:
        text = message % values if values else message
        Exception.__init__(self, f"{field}: {text}")
        self.field, self.message = field, text
        self.template, self.values = message, values

    def said_in(self, lang: str) -> str:
        """On a page: the field by its name in words ("Objet (français) : …"), then what is wrong."""
        from contacts.words import (
            field_words,  # here: the command line starts without the words
        )

        return f"{field_words(self.field, lang)}: {self.message_in(lang)}"

    def message_in(self, lang: str) -> str:
        """What is wrong, in the language, without the field's name."""
        return _translated(lang, self.template, self.values)


class NotFoundError(ContactsError):
    pass


class GoneError(NotFoundError):
    """It was here and was taken away for good (an issue withdrawn from the public archive): 410."""


class ConflictError(ContactsError):
    pass


class AuthenticationError(ContactsError):
    """No valid credentials: sign in, or send a valid API token."""


class PermissionDeniedError(ContactsError):
    """Signed in, but the role is not empowered for this action or purpose (REQ-7)."""


class ApprovalRequiredError(ConflictError):
    """REQ-53: the campaign needs another staff member's approval of its present content first (409)."""


class OwnApprovalError(PermissionDeniedError):
    """REQ-53: the author of a campaign may not approve it (403)."""
