"""What the chat adapters call."""
