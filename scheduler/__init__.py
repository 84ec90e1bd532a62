"""The due-jobs engine and the APScheduler ticks that drive it."""
