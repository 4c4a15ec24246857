"""Which campaigns may go to the public archive (issue 23, item 5): only content that is public already.

A campaign may be archived when every one of its lists is open to the public (audience kind `public`:
anyone may subscribe, as to the seeded `public-newsletter`), it is sent for those lists' own purpose, and
it is no invitation (a guest's invitation is personal, and its event not for everyone). A professional
list's letter (journalists, VIPs, teachers, partners) is written for the people on it, and even its
list's name is not for the public. Staff still choose it campaign by campaign: never by default.
"""

from __future__ import annotations

from collections.abc import Sequence

from contacts.domain import AudienceKind
from contacts.errors import ValidationError
from contacts.i18n import N_
from contacts.services.catalogue import ListInfo, PurposeInfo

INVITATION_TEMPLATE = "invitation"


def check(lists: Sequence[ListInfo], purpose: PurposeInfo, template: str, *, invitation: bool = False) -> None:
    """Refuses, naming the field `archive`, a campaign that may not be published in the archive."""
    if invitation or template == INVITATION_TEMPLATE:
        raise ValidationError("archive", N_("an invitation is never published in the public archive"))
    private = [item.slug for item in lists if item.audience_kind != AudienceKind.PUBLIC]
    if private:
        raise ValidationError("archive", N_("only a newsletter of lists open to the public may be published in the "
                                            "public archive; %(lists)s is not one"), lists=", ".join(private))
    if any(item.purpose.id != purpose.id for item in lists):
        raise ValidationError("archive", N_("a campaign published in the public archive is sent for its lists' own "
                                            "purpose, not %(purpose)s"), purpose=purpose.code)
