"""The small shared core every domain uses: who people are and their language (`people`,
`i18n`), what is said to them (`ports`, `notices`), work written for later (`jobs`, `outbox`,
`delivery`), the audit log, dates, each organisation's crisis lines kept in memory
(`crisis_lines`), and the unit of work the use cases share (`unit`)."""
