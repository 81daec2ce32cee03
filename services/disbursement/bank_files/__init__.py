"""Payment files for finance and the bank, and the bank's result files (R-DI-6)."""
