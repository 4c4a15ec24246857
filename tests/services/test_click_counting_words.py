"""REQ-48: the record of processing (`contacts register`, its staff page) and a person's export say truthfully
what click counting is: what is counted, that nobody is identified, and how long the counts are kept."""

from __future__ import annotations

import json

import jsonschema
import pytest

from contacts.services import records_of_processing
from contacts.services.rights import export as subject_export
from tests.services.test_subject_export import person_with_history

pytestmark = pytest.mark.usefixtures("database_url")


async def test_req48_the_register_describes_click_counting_in_both_languages():
    english = await records_of_processing.build("en")
    french = await records_of_processing.build("fr")
    words = english.audience_measurement
    assert "per campaign, language and hour" in words and "No person is identified" in words
    assert "IP address" in words and "turned off for each campaign" in words and "kept as aggregates" in words
    assert "Personne n'est identifié" in french.audience_measurement
    markdown = records_of_processing.as_markdown(english)
    assert "## Audience measurement" in markdown and words in markdown
    assert all(any("no per-recipient open or click tracking" in category for category in activity.categories_of_data)
               for activity in english.activities)


def test_req48_contacts_register_says_it(contacts_cli):
    register = json.loads(contacts_cli("register", "--format", "json").stdout)
    assert "No person is identified" in register["audience_measurement"]


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_req48_a_persons_export_says_clicks_identify_nobody(tmp_path, language):
    _, person, _ = await person_with_history(tmp_path)
    export = await subject_export.build(person, language=language)
    jsonschema.Draft202012Validator(subject_export.schema()).validate(json.loads(subject_export.as_json(export)))
    assert export["audience_measurement"]["identifies_you"] is False
    assert export["audience_measurement"]["words"] == records_of_processing.gettext(
        language, records_of_processing.AUDIENCE_MEASUREMENT)
    html = subject_export.as_html(export)
    last_sentence = export["audience_measurement"]["words"].split(". ")[-1][:35]  # no apostrophe, no colon
    assert 'id="audience_measurement"' in html and last_sentence in html
