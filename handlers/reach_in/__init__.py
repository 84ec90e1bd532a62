"""Reaching people who would not ask: a coordinator records a serious event and picks the
colleagues involved (`desk.ReachIn.record`); each gets a private, warm offer they are free to
decline (`messages.invitation`); their answers come back only as suppressed totals
(``handlers.reports.reach_in`), and "I would like to talk" starts an ordinary request."""
