"""Stripe: its webhook signature, its event objects, and the calls Ombuds makes to it."""
