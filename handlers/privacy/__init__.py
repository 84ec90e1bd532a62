"""Personal data's end and a person's rights: the daily retention purge (`retention.Retention`),
erasure on request (`erasure.Erasure`), asked once first (`forget_me.ForgetMe`), subject access
(`access.SubjectAccess`) and the audit log for reviewers (`audit_export`). The audit log every
change writes is `handlers.core.audit`; what all of it means for a reviewer is docs/privacy.md."""
