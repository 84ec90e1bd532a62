"""The weekly wellbeing pulse: rounds opened, sent paced and closed, answers kept anonymous
(`rounds.Pulses`); what it says (`messages`)."""
