"""Platform adapters (Slack, Teams), the web server and the command line."""
