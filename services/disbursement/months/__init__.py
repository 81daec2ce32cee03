"""Payment months (发放月): the ledger (台账) of a county's month, its cut-off and its roster."""
