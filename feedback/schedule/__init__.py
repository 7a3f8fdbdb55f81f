"""Periodic jobs (declared as data) and the send job: what keeps invitations moving.

- :mod:`feedback.schedule.periodic` — the periodic jobs, ``run_periodic_once`` (``flask tick``)
  and the RQ cron scheduler's leader lock (``flask scheduler``);
- :mod:`feedback.schedule.jobs` — ``send_invitation(invitation_id)``.
"""
