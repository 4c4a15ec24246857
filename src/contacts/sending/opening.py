"""Waiting for a campaign's sending window to open (REQ-54), as `campaign send` does: looked at again now and
then, since staff may pause the campaign meanwhile, or an admin let it send outside its window."""

from __future__ import annotations

import logging

from contacts.domain import CampaignStatus
from contacts.outages import Outage
from contacts.sending import stopping
from contacts.sending.clock import Clock
from contacts.services.campaigns import core as campaigns
from contacts.services.windows import SendingWindow

log = logging.getLogger(__name__)
LOOK_AGAIN_SECONDS = 30.0


async def wait_for_opening(campaign_id: int, window: SendingWindow | None, clock: Clock, outage: Outage,
                           *, quiet: bool = False) -> SendingWindow | None:
    """Until the window opens, the campaign stops running, or the sender is asked to stop. Returns the window
    the campaign keeps from then on (None: it may send at any time). `quiet`: a helper process, whose parent
    says it."""
    if window is not None and not quiet and not window.is_open(clock.now()):
        resumes = window.next_opening(clock.now())
        log.warning("campagne %s hors de sa plage d'envoi, reprise le %s (heure de Paris) / campaign %s outside "
                    "its sending window, resumes %s (Paris time)", campaign_id, f"{resumes:%d/%m/%Y %H:%M}",
                    campaign_id, f"{resumes:%Y-%m-%d %H:%M}")
    while not stopping.requested() and window is not None and not window.is_open(clock.now()):
        await clock.sleep_until(window.next_opening(clock.now()), at_most=LOOK_AGAIN_SECONDS)
        campaign = await outage.call(campaigns.get, campaign_id)
        if campaign.status != CampaignStatus.RUNNING:
            break  # the sender sees it as it claims again
        window = None if campaign.outside_window else campaign.purpose.window
    return window
