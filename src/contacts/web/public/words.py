"""The fixed words of the public pages, in French and English. Templates reach them as `t.<key>`."""

from __future__ import annotations

PAGE_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "skip": "Aller au contenu",
        "language_switch": "Langue",
        "other_language": "English",
        "footer": "Vos données sont traitées conformément à notre politique de confidentialité. Aucun cookie "
                  "ni traceur n'est déposé sur cette page.",
        "unsubscribe_title": "Se désinscrire",
        "unsubscribe_question": "Ne plus recevoir les messages de la liste « {list} » ?",
        "unsubscribe_question_any": "Ne plus recevoir les messages de cette liste ?",
        "unsubscribe_button": "Confirmer la désinscription",
        "unsubscribe_done_title": "C'est fait",
        "unsubscribe_done": "Vous ne recevrez plus ces messages, hormis un envoi qui partait à l'instant même. Si "
                            "vous changez d'avis, le centre de préférences de nos messages vous permet de vous "
                            "réinscrire.",
        "objection_title": "M'opposer à ces envois",
        "objection_intro": "Le règlement général sur la protection des données (article 21) vous permet de vous "
                           "opposer à tout moment, sans avoir à vous justifier, à l'utilisation de vos données pour "
                           "de la prospection. Votre opposition prend effet immédiatement et définitivement : aucun "
                           "membre de notre personnel ne peut la lever.",
        "objection_scope": "À quoi vous opposez-vous ?",
        "objection_this": "Aux envois « {purpose} »",
        "objection_all": "À tous nos envois de prospection : {purposes}",
        "objection_reason": "Votre raison (facultatif)",
        "objection_reason_hint": "Vous n'êtes pas obligé·e de nous la donner.",
        "objection_button": "Enregistrer mon opposition",
        "objection_done_title": "Votre opposition est enregistrée",
        "objection_done": "Elle s'applique dès maintenant. Vous ne recevrez plus ces envois, hormis un message qui "
                          "partait à l'instant même.",
        "preferences_title": "Mes préférences",
        "preferences_intro": "Voici les listes sur lesquelles vous figurez, pourquoi nous vous écrivons, et sur quel "
                             "fondement. Décochez une liste pour ne plus la recevoir.",
        "preferences_none": "Aucune liste à afficher pour ce lien.",
        "preferences_lists": "Mes listes",
        "preferences_purpose": "Finalité : {purpose}.",
        "preferences_basis": "Fondement : {basis}.",
        "preferences_off_unsubscribed_label": "Désactivée.",
        "preferences_off_unsubscribed": "Vous vous êtes désinscrit·e de cette liste. Cochez-la pour la recevoir à "
                                        "nouveau : nous vous enverrons un courriel de confirmation.",
        "preferences_off_objected_label": "Désactivée : opposition.",
        "preferences_off_objected": "Vous vous êtes opposé·e à ces envois. Cocher la case ne lève pas votre "
                                    "opposition : nous vous enverrons un courriel de confirmation, et seule votre "
                                    "confirmation, qui vaut nouveau consentement, la lèvera pour cette liste.",
        "preferences_off_objected_pending_label": "Désactivée : opposition.",
        "preferences_off_objected_pending": "Vous vous êtes opposé·e à ces envois, et nous attendons votre "
                                            "confirmation par le lien envoyé par courriel. Votre opposition reste en "
                                            "vigueur jusque-là : seule cette confirmation, qui vaut nouveau "
                                            "consentement, la lèvera pour cette liste.",
        "preferences_off_pending_label": "En attente de confirmation.",
        "preferences_off_pending": "Cette liste ne vous sera envoyée qu'après votre confirmation par le lien du "
                                   "courriel de confirmation. Pour recevoir un nouveau lien, cochez-la et "
                                   "enregistrez.",
        "preferences_language": "Langue de nos messages",
        "preferences_save": "Enregistrer mes préférences",
        "preferences_saved": "Vos préférences sont enregistrées.",
        "preferences_confirm_sent": "Pour recevoir à nouveau {lists}, confirmez par le lien que nous venons de vous "
                                    "envoyer par courriel.",
        "everything_title": "Tout arrêter",
        "everything_intro": "Ne plus recevoir aucun de nos messages, sur aucune liste.",
        "everything_button": "Me désinscrire de tout",
        "everything_done": "Vous êtes désinscrit·e de tout. Vous ne recevrez plus aucun de nos messages, hormis un "
                           "envoi qui partait à l'instant même.",
        "rights_title": "Exercer mes droits",
        "rights_intro": "Demandez l'accès à vos données, leur export, leur rectification ou leur effacement. Nous "
                        "répondons dans le délai d'un mois.",
        "rights_type": "Ma demande",
        "rights_details": "Précisions (par exemple la correction à apporter)",
        "rights_button": "Envoyer ma demande",
        "rights_done": "Votre demande est enregistrée. Un accusé de réception vous est envoyé par courriel.",
        "signup_title": "S'inscrire : {list}",
        "signup_intro": "Recevez nos actualités. Chaque inscription est confirmée par un courriel.",
        "signup_email": "Adresse électronique",
        "signup_first_name": "Prénom (facultatif)",
        "signup_last_name": "Nom (facultatif)",
        "signup_language": "Langue des messages",
        "signup_purposes": "Ce que vous acceptez de recevoir",
        "signup_notice": "Information sur vos données (version {version})",
        "signup_button": "M'inscrire",
        "signup_done_title": "Vérifiez votre boîte de réception",
        "signup_done": "Si cette adresse peut être inscrite, vous allez recevoir un courriel : cliquez sur le lien "
                       "qu'il contient pour confirmer. Sans confirmation, rien n'est enregistré.",
        "confirm_title": "Confirmer mon inscription",
        "confirm_question": "Confirmez-vous votre inscription à : {lists} ?",
        "confirm_fresh_consent": "Votre confirmation vaut consentement : pour ces listes, elle lève une "
                                 "désinscription ou une opposition que vous auriez faite auparavant.",
        "confirm_button": "Confirmer",
        "confirm_invalid": "Ce lien n'est plus valable : il a expiré ou a déjà servi. Vous pouvez refaire une "
                           "demande d'inscription.",
        "confirm_done_title": "Inscription confirmée",
        "confirm_done": "Merci, votre inscription est confirmée.",
        "error_title": "Le formulaire contient une erreur",
        "error_email": "Saisissez une adresse électronique valide, par exemple prenom.nom@exemple.fr.",
        "error_purposes": "Cochez au moins une case pour vous inscrire.",
        "required": "obligatoire",
        "http_404_title": "Page introuvable",
        "http_404": "Cette adresse ne mène à aucune de nos pages. Vérifiez qu'elle est complète, ou ouvrez à nouveau le "
                    "lien du message que vous avez reçu.",
        "http_405_title": "Demande non prise en charge",
        "http_405": "Cette page ne s'utilise pas ainsi. Ouvrez à nouveau le lien du message que vous avez reçu.",
        "http_429_title": "Trop de demandes",
        "http_429": "Nous avons reçu beaucoup de demandes de votre connexion en peu de temps. Patientez une minute, "
                    "puis réessayez.",
        "http_400_title": "Demande illisible",
        "http_400": "Nous n'avons pas pu lire cette demande, et rien n'a été enregistré. Revenez à la page précédente "
                    "et réessayez.",
        "http_500_title": "Une erreur s'est produite",
        "http_500": "Nous n'avons pas pu traiter votre demande. Réessayez dans quelques instants.",
        "export_title": "Vos données",
        "export_intro": "Voici tout ce que nous détenons sur vous. Choisissez un format :",
        "export_json": "JSON : format structuré et documenté, pour le transmettre à un autre service",
        "export_csv": "CSV : pour un tableur (UTF-8)",
        "export_html": "Résumé lisible, à consulter ou imprimer",
        "export_private": "Ce lien est personnel et expire de lui-même : ne le transmettez pas.",
        "export_nothing": "Ce lien n'ouvre aucune donnée. Il a peut-être expiré, ou les données ont été effacées. "
                          "Vous pouvez refaire une demande à tout moment depuis le centre de préférences de nos "
                          "messages.",
    },
    "en": {
        "skip": "Skip to content",
        "language_switch": "Language",
        "other_language": "Français",
        "footer": "Your data is processed under our privacy policy. This page sets no cookie and no tracker.",
        "unsubscribe_title": "Unsubscribe",
        "unsubscribe_question": "Stop receiving the messages of the list “{list}”?",
        "unsubscribe_question_any": "Stop receiving the messages of this list?",
        "unsubscribe_button": "Confirm unsubscription",
        "unsubscribe_done_title": "Done",
        "unsubscribe_done": "You will not receive these messages any more, except one already leaving at that very "
                            "moment. If you change your mind, the preference centre of our messages lets you "
                            "subscribe again.",
        "objection_title": "Object to these messages",
        "objection_intro": "The General Data Protection Regulation (Article 21) lets you object at any time, without "
                           "giving a reason, to the use of your data for direct marketing. Your objection takes effect "
                           "at once and for good: none of our staff can override it.",
        "objection_scope": "What do you object to?",
        "objection_this": "The “{purpose}” messages",
        "objection_all": "All our direct-marketing messages: {purposes}",
        "objection_reason": "Your reason (optional)",
        "objection_reason_hint": "You do not have to give one.",
        "objection_button": "Record my objection",
        "objection_done_title": "Your objection is recorded",
        "objection_done": "It applies from now on. You will not receive these messages any more, except one "
                          "already leaving at that very moment.",
        "preferences_title": "My preferences",
        "preferences_intro": "These are the lists you are on, why we write to you, and on what basis. Untick a list "
                             "to stop receiving it.",
        "preferences_none": "There is no list to show for this link.",
        "preferences_lists": "My lists",
        "preferences_purpose": "Purpose: {purpose}.",
        "preferences_basis": "Basis: {basis}.",
        "preferences_off_unsubscribed_label": "Off.",
        "preferences_off_unsubscribed": "You unsubscribed from this list. Tick it to receive it again: we will send "
                                        "you a confirmation email.",
        "preferences_off_objected_label": "Off: objection.",
        "preferences_off_objected": "You objected to these messages. Ticking the box does not lift your objection: "
                                    "we will send you a confirmation email, and only your confirmation, which is a "
                                    "fresh consent, lifts it for this list.",
        "preferences_off_objected_pending_label": "Off: objection.",
        "preferences_off_objected_pending": "You objected to these messages, and we are waiting for your "
                                            "confirmation through the link we emailed you. Your objection stays in "
                                            "force until then: only that confirmation, which is a fresh consent, "
                                            "lifts it for this list.",
        "preferences_off_pending_label": "Waiting for confirmation.",
        "preferences_off_pending": "This list is sent to you only after you confirm through the link of the "
                                   "confirmation email. To get a new link, tick it and save.",
        "preferences_language": "Language of our messages",
        "preferences_save": "Save my preferences",
        "preferences_saved": "Your preferences are saved.",
        "preferences_confirm_sent": "To receive {lists} again, confirm through the link we just emailed you.",
        "everything_title": "Stop everything",
        "everything_intro": "Receive none of our messages, on any list.",
        "everything_button": "Unsubscribe from everything",
        "everything_done": "You are unsubscribed from everything. You will receive none of our messages, except "
                           "one already leaving at that very moment.",
        "rights_title": "Exercise my rights",
        "rights_intro": "Ask for access to your data, an export, a correction or erasure. We answer within one month.",
        "rights_type": "My request",
        "rights_details": "Details (for example the correction to make)",
        "rights_button": "Send my request",
        "rights_done": "Your request is recorded. An acknowledgement is on its way by email.",
        "signup_title": "Subscribe: {list}",
        "signup_intro": "Receive our news. Every subscription is confirmed by email.",
        "signup_email": "Email address",
        "signup_first_name": "First name (optional)",
        "signup_last_name": "Last name (optional)",
        "signup_language": "Language of the messages",
        "signup_purposes": "What you agree to receive",
        "signup_notice": "How we use your data (version {version})",
        "signup_button": "Subscribe",
        "signup_done_title": "Check your inbox",
        "signup_done": "If this address can be subscribed, you will receive an email: follow its link to confirm. "
                       "Without confirmation, nothing is recorded.",
        "confirm_title": "Confirm my subscription",
        "confirm_question": "Do you confirm your subscription to: {lists}?",
        "confirm_fresh_consent": "Your confirmation is your consent: for these lists, it lifts any unsubscription "
                                 "or objection you made before.",
        "confirm_button": "Confirm",
        "confirm_invalid": "This link is no longer valid: it has expired or was used already. You can sign up again.",
        "confirm_done_title": "Subscription confirmed",
        "confirm_done": "Thank you, your subscription is confirmed.",
        "error_title": "The form has an error",
        "error_email": "Enter a valid email address, such as first.last@example.org.",
        "error_purposes": "Tick at least one box to subscribe.",
        "required": "required",
        "http_404_title": "Page not found",
        "http_404": "This address leads to none of our pages. Check that it is complete, or open the link of the "
                    "message you received again.",
        "http_405_title": "Request not supported",
        "http_405": "This page is not used that way. Open the link of the message you received again.",
        "http_429_title": "Too many requests",
        "http_429": "We received many requests from your connection in a short time. Please wait a minute, then try "
                    "again.",
        "http_400_title": "Unreadable request",
        "http_400": "We could not read this request, and nothing was recorded. Go back to the previous page and try "
                    "again.",
        "http_500_title": "Something went wrong",
        "http_500": "We could not process your request. Please try again in a few moments.",
        "export_title": "Your data",
        "export_intro": "Here is everything we hold about you. Choose a format:",
        "export_json": "JSON: a structured, documented format, to pass on to another service",
        "export_csv": "CSV: for a spreadsheet (UTF-8)",
        "export_html": "Readable summary, to read or print",
        "export_private": "This link is personal and expires by itself: do not pass it on.",
        "export_nothing": "This link opens no data. It may have expired, or the data was erased. You may ask again "
                          "at any time from the preference centre of our messages.",
    },
}

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}

