"""Phone calls: records from a telephony provider's webhook and calls agents log by hand
become messages of kind "call" on the customer's case."""
