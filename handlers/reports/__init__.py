"""What coordinators see, aggregates only: a programme's figures per week or month (`figures`),
small cells suppressed (`suppression`), as rows and CSV (`export`); the weekly summary in chat
(`summary`, `desk.ReportDesk`); and the coordinator's overview (`overview`)."""
