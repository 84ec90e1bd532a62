"""Process settings (environment and `.env`, in `config.settings`), shipped organisation defaults
(`config.crisis`) and the error a wrong setting raises (`config.errors`).

Nothing is imported here, so `import config.errors` stays cheap (the command line's start-up
depends on it).
"""
