"""Automations: triggers and time rules, macros (approved answers), escalations, proactive
care for order problems, and coordination tasks with third parties."""
