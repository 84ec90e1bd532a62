"""The support flow, from a request to its end.

- `asking.Requests`: a person asks (the form's instant receipt, storing the request with its
  acknowledgement and the job that routes it, the crisis lines when it cannot be stored yet);
  the form itself is `intake`; `first_offers`: that job, the request's first offers.
- `routing`: offers tier by tier, to everyone at once or one at a time; `steps`: each tier's
  wait and the jobs that move a request on; `escalation`: the next tier when nobody accepts,
  then the coordinators, told again while it lasts; `jobs.SupportJobs` runs those jobs.
- `answering.Offers`: accept (first accept wins), decline, a coordinator's "I will make contact".
- `relay.Relay`: anonymous messages passed on both ways.
- `ending.Cases`: withdraw, close, follow-ups scheduled, the peer asked how they are;
  `encounters`: and what kind of support it was (optional, counted apart from the case).
- `disclosure.Disclosures`: risk in what someone writes: crisis lines at once, a human alerted.
- `informing`: coordinator alerts and the requester's acknowledgement, updated in place;
  `messages` and `risk_messages`: what the flow says; `failed_jobs`: a job given up is reported.
"""
