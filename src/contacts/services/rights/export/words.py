"""The export's own words, in French and English: REQ-16 (e) the rights, (f) the complaint, (h) automated
decisions, and the headings and value names of the readable summary. Purposes, legal bases, data
categories, recipients and retention come from the record of processing (services/records_of_processing.py)."""

from __future__ import annotations

LANGUAGES = ("fr", "en")

RIGHTS = {
    "fr": [
        ("access", "Droit d'accès : obtenir la confirmation que nous traitons vos données, et une copie (cet export)."),
        ("rectification", "Droit de rectification : faire corriger ou compléter vos données."),
        ("erasure", "Droit à l'effacement : faire effacer vos données ; seule une empreinte chiffrée de votre adresse "
                    "reste, pour ne plus jamais vous écrire."),
        ("restriction", "Droit à la limitation : faire suspendre l'utilisation de vos données pendant l'examen d'une "
                        "contestation."),
        ("objection", "Droit d'opposition : vous opposer à tout moment à la prospection, sans justification ; "
                      "l'opposition est immédiate et définitive."),
        ("portability", "Droit à la portabilité : recevoir vos données dans un format structuré et lisible par "
                        "machine (JSON, CSV) et les transmettre à un autre organisme."),
        ("withdraw_consent", "Retrait du consentement : retirer à tout moment un consentement donné, aussi "
                             "simplement que vous l'avez donné."),
        ("after_death", "Directives post-mortem : indiquer ce que nous devons faire de vos données après votre décès "
                        "(conserver, effacer ou communiquer à une personne désignée)."),
    ],
    "en": [
        ("access", "Right of access: to know whether we process your data, and to get a copy (this export)."),
        ("rectification", "Right to rectification: to have your data corrected or completed."),
        ("erasure", "Right to erasure: to have your data erased; only a keyed fingerprint of your address remains, "
                    "so that we never write to you again."),
        ("restriction", "Right to restriction: to have the use of your data suspended while a dispute is examined."),
        ("objection", "Right to object: to object at any time to direct marketing, without giving a reason; the "
                      "objection is immediate and final."),
        ("portability", "Right to portability: to receive your data in a structured, machine-readable format (JSON, "
                        "CSV) and pass it to another organisation."),
        ("withdraw_consent", "Withdrawal of consent: to withdraw a consent at any time, as easily as you gave it."),
        ("after_death", "After-death instructions: to say what we should do with your data after your death (keep, "
                        "erase, or communicate it to a person you name)."),
    ],
}
HOW_TO_EXERCISE = {
    "fr": "Pour exercer ces droits : le lien « Gérer mes préférences » de chacun de nos messages, ou un courriel à "
          "notre délégué à la protection des données, {dpo}.",
    "en": "To exercise these rights: the “Manage my preferences” link in each of our messages, or an email to our "
          "data protection officer, {dpo}.",
}
COMPLAINT = {
    "fr": "Si vous estimez que vos droits ne sont pas respectés, vous pouvez introduire une réclamation auprès de la "
          "Commission nationale de l'informatique et des libertés (CNIL).",
    "en": "If you believe your rights are not respected, you may lodge a complaint with the French data protection "
          "authority, the Commission nationale de l'informatique et des libertés (CNIL).",
}
CNIL = {"authority": "Commission nationale de l'informatique et des libertés (CNIL)",
        "website": "https://www.cnil.fr",
        "address": "3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, France"}
AUTOMATED = {
    "fr": "Aucune décision produisant des effets juridiques ou vous affectant de manière significative n'est prise "
          "sur le seul fondement d'un traitement automatisé, et aucun profil n'est établi (art. 22 du RGPD).",
    "en": "No decision with legal or similarly significant effects on you is taken by automated means alone, and no "
          "profile is built (GDPR Art. 22).",
}
TRANSFERS = {"fr": "aucun transfert hors de l'Union européenne", "en": "no transfer outside the European Union"}
SUPPRESSION_STORED = {
    "fr": "La liste d'opposition ne garde qu'une empreinte chiffrée (HMAC-SHA256) de votre adresse, jamais l'adresse.",
    "en": "The do-not-contact list keeps only a keyed fingerprint (HMAC-SHA256) of your address, never the address.",
}
SOURCE_TYPES = {
    "fr": {"given": "données que vous nous avez fournies", "third_party": "données obtenues auprès d'un tiers",
           "relationship": "données collectées au cours de notre relation",
           "service_use": "données collectées lors de l'utilisation de nos services"},
    "en": {"given": "data you gave us", "third_party": "data obtained from a third party",
           "relationship": "data collected during our relationship",
           "service_use": "data collected through your use of our services"},
}

# The readable summary: its headings, its field labels, and the values it spells out.
SUMMARY = {
    "fr": {
        "title": "Vos données personnelles", "generated": "Export établi le {date}, par {controller}.",
        "intro": "Ce document résume tout ce que nous détenons sur vous. Les fichiers JSON et CSV contiennent les "
                 "mêmes données, complètes, pour un autre service ou un tableur.",
        "contact": "Vos coordonnées", "provenance": "Origine de vos données (g)", "purposes": "Finalités (a)",
        "categories_of_data": "Catégories de données (b)", "recipients": "Destinataires (c)",
        "disclosures": "Communications de vos données à des tiers", "retention": "Durées de conservation (d)",
        "subscriptions": "Vos abonnements", "consent_events": "Historique de vos choix et preuves de consentement",
        "send_history": "Messages envoyés (sans suivi des ouvertures)", "suppression": "Liste d'opposition",
        "restrictions": "Limitations du traitement", "rights_requests": "Vos demandes d'exercice de droits",
        "after_death_instructions": "Directives post-mortem", "invitations": "Invitations",
        "pending_consents": "Consentements en attente de confirmation", "rights": "Vos droits (e)",
        "complaint": "Réclamation (f)", "automated_decisions": "Décisions automatisées (h)",
        "none": "Néant.", "suppressed": "Votre adresse figure sur la liste d'opposition.",
        "not_suppressed": "Votre adresse ne figure pas sur la liste d'opposition.",
        "legal_basis": "fondement", "status": "état", "since": "depuis", "until": "jusqu'au",
        "evidence": "justification",
        "list": "liste", "campaign": "campagne", "sent_at": "envoyé le", "reason": "motif", "channel": "canal",
        "field": "champ", "value": "valeur", "controller": "Responsable du traitement",
        "dpo": "Délégué à la protection des données", "transfers": "Transferts", "sep": " : ",
    },
    "en": {
        "title": "Your personal data", "generated": "Export made on {date} by {controller}.",
        "intro": "This document sums up everything we hold about you. The JSON and CSV files hold the same data, in "
                 "full, for another service or a spreadsheet.",
        "contact": "Your details", "provenance": "Where your data came from (g)", "purposes": "Purposes (a)",
        "categories_of_data": "Categories of data (b)", "recipients": "Recipients (c)",
        "disclosures": "Disclosures of your data to third parties", "retention": "Retention periods (d)",
        "subscriptions": "Your subscriptions", "consent_events": "History of your choices and consent proofs",
        "send_history": "Messages sent (no open tracking)", "suppression": "Do-not-contact list",
        "restrictions": "Restrictions of processing", "rights_requests": "Your rights requests",
        "after_death_instructions": "After-death instructions", "invitations": "Invitations",
        "pending_consents": "Consents awaiting confirmation", "rights": "Your rights (e)",
        "complaint": "Complaint (f)", "automated_decisions": "Automated decisions (h)",
        "none": "None.", "suppressed": "Your address is on the do-not-contact list.",
        "not_suppressed": "Your address is not on the do-not-contact list.",
        "legal_basis": "basis", "status": "status", "since": "since", "until": "until", "evidence": "evidence",
        "list": "list", "campaign": "campaign", "sent_at": "sent on", "reason": "reason", "channel": "channel",
        "field": "field", "value": "value", "controller": "Controller", "dpo": "Data protection officer",
        "transfers": "Transfers", "sep": ": ",
    },
}
FIELD_LABELS = {
    "fr": {"title": "civilité", "first_name": "prénom", "last_name": "nom", "organisation": "organisme",
           "position": "fonction", "department": "service", "email": "adresse électronique", "phone": "téléphone",
           "postal_address": "adresse postale", "language": "langue", "address_kind": "type d'adresse",
           "status": "état", "created_at": "créé le", "updated_at": "modifié le",
           "last_initiated_contact_at": "dernier contact à votre initiative", "method": "mode de collecte",
           "source_name": "source", "collected_at": "collectées le", "notice_version": "version de la mention "
           "d'information"},
    "en": {"title": "title", "first_name": "first name", "last_name": "last name", "organisation": "organisation",
           "position": "position", "department": "department", "email": "email address", "phone": "phone",
           "postal_address": "postal address", "language": "language", "address_kind": "kind of address",
           "status": "status", "created_at": "created on", "updated_at": "updated on",
           "last_initiated_contact_at": "last contact you initiated", "method": "how it was collected",
           "source_name": "source", "collected_at": "collected on", "notice_version": "version of the notice shown"},
}
# Codes the summary spells out in French (in English, the code with its underscores as spaces reads well).
VALUES_FR = {
    "pending": "en attente", "subscribed": "abonné·e", "unsubscribed": "désabonné·e", "objected": "opposition",
    "confirmed": "confirmé", "suppressed": "liste d'opposition", "suppression_imported": "liste d'opposition (import)",
    "suppression_lifted": "retrait de la liste d'opposition", "rights_requested": "demande d'exercice de droits",
    "rectified": "rectifié", "erased": "effacé", "restricted": "limité", "restriction_lifted": "limitation levée",
    "queued": "en file d'attente", "sending": "en cours d'envoi", "sent": "envoyé", "failed": "échec",
    "skipped": "non envoyé", "hard": "adresse invalide", "soft": "échec temporaire", "active": "actif",
    "consent": "consentement", "contract": "contrat", "legitimate_interest": "intérêt légitime",
    "legal_obligation": "obligation légale", "import": "import", "staff": "personnel", "web_form": "formulaire web",
    "one_click": "désinscription en un clic", "unsubscribe_page": "page de désinscription",
    "objection_page": "page d'opposition", "preference_centre": "centre de préférences", "mailto": "courriel",
    "bounce": "retour en erreur", "complaint": "signalement", "system": "système", "given": "fournies par vous",
    "third_party": "tiers", "relationship": "relation", "service_use": "utilisation de nos services",
    "private": "particulier", "professional": "professionnelle", "generic": "générique", "received": "reçue",
    "awaiting_identity": "vérification d'identité", "in_progress": "en cours", "extended": "prolongée",
    "answered": "répondue", "refused": "refusée", "access": "accès", "rectification": "rectification",
    "erasure": "effacement", "restriction": "limitation", "objection": "opposition", "portability": "portabilité",
    "withdraw_consent": "retrait du consentement", "after_death": "directives post-mortem", "listed": "sur la liste",
    "invited": "invité·e", "accepted": "acceptée", "declined": "déclinée", "attended": "présent·e",
    "unsubscribe": "désinscription", "hard_bounce": "adresse invalide", "soft_bounce": "échecs répétés",
    "manual": "ajout manuel", "global": "tous nos envois", "fr": "français", "en": "anglais",
    "keep": "conserver", "erase": "effacer",
    "communicate": "communiquer", "asked_for": "à votre demande", "accuracy_disputed": "exactitude contestée",
    "objection_pending": "opposition en cours d'examen", "deceased": "décès", "true": "oui", "false": "non",
}

# The summary's table columns, by field name; FIELD_LABELS gets them too.
COLUMNS = {
    "fr": {"list": "liste", "list_name": "nom de la liste", "purpose": "finalité", "legal_basis": "fondement",
           "legal_basis_words": "fondement juridique", "evidence": "justification", "started_at": "depuis le",
           "ended_at": "jusqu'au", "occurred_at": "date", "action": "événement", "channel": "canal",
           "reason": "motif", "details": "précisions", "redacted": "texte effacé", "campaign": "campagne",
           "subject": "objet", "skip_reason": "raison du non-envoi", "sent_at": "envoyé le", "bounce": "retour",
           "bounced_at": "retour le", "complained_at": "signalement le", "lift_notified_at": "levée annoncée le",
           "lifted_at": "levée le", "reference": "numéro", "type": "droit", "received_at": "reçue le",
           "due_on": "réponse due le", "extended_to": "délai prolongé au", "extension_reason": "motif de la "
           "prolongation", "identity_verified": "identité vérifiée", "identity_method": "vérifiée par",
           "identity_verified_at": "vérifiée le", "text": "votre demande", "outcome": "suite donnée",
           "refusal_ground": "motif du refus", "closed_at": "close le", "instruction": "directive",
           "executor_name": "personne désignée", "executor_email": "son adresse", "recorded_at": "enregistrée le",
           "revoked_at": "révoquée le", "applied_at": "appliquée le", "event": "événement", "responded_at":
           "réponse le", "lists": "listes", "wording": "libellé accepté", "form": "formulaire",
           "requested_at": "demandé le", "expires_at": "expire le"},
    "en": {"list": "list", "list_name": "list name", "purpose": "purpose", "legal_basis": "basis",
           "legal_basis_words": "legal basis", "evidence": "evidence", "started_at": "since", "ended_at": "until",
           "occurred_at": "date", "action": "event", "channel": "channel", "reason": "reason", "details": "details",
           "redacted": "text erased", "campaign": "campaign", "subject": "subject", "skip_reason": "why not sent",
           "sent_at": "sent on", "bounce": "bounce", "bounced_at": "bounced on", "complained_at": "complaint on",
           "lift_notified_at": "lifting announced on", "lifted_at": "lifted on", "reference": "number",
           "type": "right", "received_at": "received on", "due_on": "answer due on", "extended_to": "extended to",
           "extension_reason": "why extended", "identity_verified": "identity verified",
           "identity_method": "verified by", "identity_verified_at": "verified on", "text": "your request",
           "outcome": "outcome", "refusal_ground": "ground of refusal", "closed_at": "closed on",
           "instruction": "instruction", "executor_name": "person named", "executor_email": "their address",
           "recorded_at": "recorded on", "revoked_at": "revoked on", "applied_at": "applied on", "event": "event",
           "responded_at": "answered on", "lists": "lists", "wording": "wording accepted", "form": "form",
           "requested_at": "asked on", "expires_at": "expires on"},
}
for _language, _columns in COLUMNS.items():
    FIELD_LABELS[_language] = {**_columns, **FIELD_LABELS[_language]}
