"""The roster: who the peers are and who is on call.

- `on_call`: rotations and overrides in the organisation's wall-clock time, eligibility for a
  request; `schedule`: who is on call over a span, joined into stretches.
- `admin.RosterAdmin`: organisations and their settings, peers, rotations, overrides (audited);
  `imports.RosterImports`: peers from CSV, shifts from iCal (`calendar`); `access`: who may.
- `forms` and `desk.RosterDesk`: the coordinator's roster forms in chat, checked and applied.
- `watch.RosterWatch`: training reminders and coverage gaps; `notify`: telling coordinators.
- `status.PeerStatuses`: a peer's own status and their unavailable switch.
- `reachability.Reachability`: a person who removed the app, passed by until they return.
"""
