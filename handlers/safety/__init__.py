"""Safety: risk recognised in what people write, the organisation's crisis lines at hand even
with the database down, and the answer and alerts when someone may be at risk."""
