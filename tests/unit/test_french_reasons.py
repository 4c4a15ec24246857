"""What people read of a bad address or a bad form field (issue 21): email-validator's English reasons become
catalogue messages by their kind, and a staff form's error names the field in words, not by its code."""

from __future__ import annotations

import email_validator
import pytest

from contacts import addresses
from contacts.errors import ValidationError


@pytest.mark.parametrize(("raw", "english", "french"), [
    ("ada.example.org", "must have an @-sign", "doit comporter un @"),
    ("@example.org", "there must be something before the @-sign", "il doit y avoir quelque chose avant le @"),
    ("ada@example", "the part after the @-sign must have a period, as in example.org",
     "la partie après le @ doit comporter un point, comme dans example.org"),
    ("ada..lovelace@example.org", "has a period out of place (two in a row, or next to the @-sign or a hyphen)",
     "comporte un point mal placé (deux de suite, ou à côté du @ ou d’un tiret)"),
])
def test_address_reasons_are_catalogue_messages(raw, english, french):
    with pytest.raises(ValidationError) as refused:
        addresses.parse_address(raw)
    assert refused.value.message == english  # the API's English
    assert refused.value.said_in("en") == f"Email address: {english}"
    assert refused.value.said_in("fr") == f"Adresse électronique: {french}"  # typography comes with the page


def test_an_undeliverable_address_is_said_by_its_kind(monkeypatch):
    def undeliverable(*args, **kwargs):
        raise email_validator.EmailUndeliverableError("The domain name nowhere.example does not exist.")

    monkeypatch.setattr(addresses, "validate_email", undeliverable)
    with pytest.raises(ValidationError) as refused:
        addresses.parse_address("ada@nowhere.example", check_deliverability=True)
    assert refused.value.said_in("fr") == "Adresse électronique: son domaine n’existe pas ou ne reçoit pas de courriel"


def test_a_field_is_named_in_words_and_an_unknown_one_as_it_is():
    assert ValidationError("subject_fr", "is empty").said_in("fr") == "Objet (français): est vide"
    assert ValidationError("subject_fr", "is empty").said_in("en") == "Subject (French): is empty"
    assert ValidationError("--source-type", "is empty").said_in("fr") == "--source-type: est vide"


def test_a_field_named_inside_a_message_is_a_code_for_programs_and_words_on_pages():
    from contacts.words import FieldName

    refused = ValidationError("subject_fr", "is empty while %(given)s is given: a version needs its subject",
                              given=FieldName("body_fr"))
    assert str(refused) == "subject_fr: is empty while body_fr is given: a version needs its subject"  # the API
    assert refused.said_in("fr") == ("Objet (français): est vide alors que « Message (français) » est rempli : "
                                     "une version a besoin de son objet")
    assert refused.said_in("en") == "Subject (French): is empty while “Message (French)” is given: a version needs its subject"
