"""The fixed words of the public pages, written in English and translated by the catalogue (locale/).
Templates reach them as `t.<key>`."""

from __future__ import annotations

from contacts.i18n import N_, Table

PAGE_WORDS = Table({
    "skip": N_("Skip to content"),
    "language_switch": N_("Language"),
    "other_language": N_("Français"),
    "footer": N_("Your data is processed under our privacy policy. This page sets no cookie and no tracker."),
    "unsubscribe_title": N_("Unsubscribe"),
    "unsubscribe_question": N_("Stop receiving the messages of the list “{list}”?"),
    "unsubscribe_question_any": N_("Stop receiving the messages of this list?"),
    "unsubscribe_button": N_("Confirm unsubscription"),
    "unsubscribe_invitations_question": N_("Stop receiving the museum's invitations?"),
    "invitations_only": N_("You will no longer receive invitations from the museum; your other subscriptions "
                           "do not change."),
    "unsubscribe_done_title": N_("Done"),
    "unsubscribe_done": N_(
        "You will not receive these messages any more, except one already leaving at that very moment. If you "
        "change your mind, the preference centre of our messages lets you subscribe again."),
    "objection_title": N_("Object to these messages"),
    "objection_intro": N_(
        "The General Data Protection Regulation (Article 21) lets you object at any time, without giving a "
        "reason, to the use of your data for direct marketing. Your objection takes effect at once and for "
        "good: none of our staff can override it."),
    "objection_scope": N_("What do you object to?"),
    "objection_this": N_("The “{purpose}” messages"),
    "objection_all": N_("All our direct-marketing messages: {purposes}"),
    "objection_reason": N_("Your reason (optional)"),
    "objection_reason_hint": N_("You do not have to give one."),
    "objection_button": N_("Record my objection"),
    "objection_done_title": N_("Your objection is recorded"),
    "objection_done": N_(
        "It applies from now on. You will not receive these messages any more, except one already leaving at "
        "that very moment."),
    "preferences_title": N_("My preferences"),
    "preferences_intro": N_(
        "These are the lists you are on, why we write to you, and on what basis. Untick a list to stop "
        "receiving it."),
    "preferences_none": N_("There is no list to show for this link."),
    "preferences_lists": N_("My lists"),
    "preferences_purpose": N_("Purpose: {purpose}."),
    "preferences_basis": N_("Basis: {basis}."),
    "preferences_off_unsubscribed_label": N_("Off."),
    "preferences_off_unsubscribed": N_(
        "You unsubscribed from this list. Tick it to receive it again: we will send you a confirmation email."),
    "preferences_off_objected_label": N_("Off: objection."),
    "preferences_off_objected": N_(
        "You objected to these messages. Ticking the box does not lift your objection: we will send you a "
        "confirmation email, and only your confirmation, which is a fresh consent, lifts it for this list."),
    "preferences_off_objected_pending_label": N_("Off: objection."),
    "preferences_off_objected_pending": N_(
        "You objected to these messages, and we are waiting for your confirmation through the link we emailed "
        "you. Your objection stays in force until then: only that confirmation, which is a fresh consent, "
        "lifts it for this list."),
    "preferences_off_pending_label": N_("Waiting for confirmation."),
    "preferences_off_pending": N_(
        "This list is sent to you only after you confirm through the link of the confirmation email. To get a "
        "new link, tick it and save."),
    "preferences_language": N_("Language of our messages"),
    "preferences_save": N_("Save my preferences"),
    "preferences_saved": N_("Your preferences are saved."),
    "preferences_confirm_sent": N_("To receive {lists} again, confirm through the link we just emailed you."),
    "everything_title": N_("Stop everything"),
    "everything_intro": N_("Receive none of our messages, on any list."),
    "everything_button": N_("Unsubscribe from everything"),
    "everything_done": N_(
        "You are unsubscribed from everything. You will receive none of our messages, except one already "
        "leaving at that very moment."),
    "rights_title": N_("Exercise my rights"),
    "rights_intro": N_("Ask for access to your data, an export, a correction or erasure. We answer within one month."),
    "rights_type": N_("My request"),
    "rights_details": N_("Details (for example the correction to make)"),
    "rights_button": N_("Send my request"),
    "rights_done": N_("Your request is recorded. An acknowledgement is on its way by email."),
    "signup_title": N_("Subscribe: {list}"),
    "signup_intro": N_("Receive our news. Every subscription is confirmed by email."),
    "signup_email": N_("Email address"),
    "signup_first_name": N_("First name (optional)"),
    "signup_last_name": N_("Last name (optional)"),
    "signup_language": N_("Language of the messages"),
    "signup_purposes": N_("What you agree to receive"),
    "signup_notice": N_("How we use your data (version {version})"),
    "signup_button": N_("Subscribe"),
    "signup_done_title": N_("Check your inbox"),
    "signup_done": N_(
        "If this address can be subscribed, you will receive an email: follow its link to confirm. Without "
        "confirmation, nothing is recorded."),
    "confirm_title": N_("Confirm my subscription"),
    "confirm_question": N_("Do you confirm your subscription to: {lists}?"),
    "confirm_fresh_consent": N_(
        "Your confirmation is your consent: for these lists, it lifts any unsubscription or objection you "
        "made before."),
    "confirm_button": N_("Confirm"),
    "confirm_invalid": N_("This link is no longer valid: it has expired or was used already. You can sign up again."),
    "confirm_done_title": N_("Subscription confirmed"),
    "confirm_done": N_("Thank you, your subscription is confirmed."),
    "error_title": N_("The form has an error"),
    "error_email": N_("Enter a valid email address, such as first.last@example.org."),
    "error_purposes": N_("Tick at least one box to subscribe."),
    "required": N_("required"),
    "http_404_title": N_("Page not found"),
    "http_404": N_(
        "This address leads to none of our pages. Check that it is complete, or open the link of the message "
        "you received again."),
    "http_410_title": N_("Withdrawn"),
    "http_410": N_("This newsletter was withdrawn from our archive."),
    "http_405_title": N_("Request not supported"),
    "http_405": N_("This page is not used that way. Open the link of the message you received again."),
    "http_429_title": N_("Too many requests"),
    "http_429": N_(
        "We received many requests from your connection in a short time. Please wait a minute, then try "
        "again."),
    "http_400_title": N_("Unreadable request"),
    "http_400": N_(
        "We could not read this request, and nothing was recorded. Go back to the previous page and try "
        "again."),
    "http_500_title": N_("Something went wrong"),
    "http_500": N_("We could not process your request. Please try again in a few moments."),
    "export_title": N_("Your data"),
    "export_intro": N_("Here is everything we hold about you. Choose a format:"),
    "export_json": N_("JSON: a structured, documented format, to pass on to another service"),
    "export_csv": N_("CSV: for a spreadsheet (UTF-8)"),
    "export_html": N_("Readable summary, to read or print"),
    "export_private": N_("This link is personal and expires by itself: do not pass it on."),
    "export_nothing": N_(
        "This link opens no data. It may have expired, or the data was erased. You may ask again at any time "
        "from the preference centre of our messages."),
})

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}

