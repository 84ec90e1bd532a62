"""Personal data's end: the daily retention purge (`retention.Retention`) and erasure on request
(`erasure.Erasure`). The audit log every change writes is `handlers.core.audit`."""
