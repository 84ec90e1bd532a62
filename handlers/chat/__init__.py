"""What the chat adapters call: the words people type (`commands`), button clicks
(`actions.Actions`), and a person's home view and the help text (`home`)."""
