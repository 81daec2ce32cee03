"""Three-way reconciliation of a payment month (三方对账, R-DI-7)."""
