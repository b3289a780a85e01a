"""Every write of disputes: one module per part of the process."""
