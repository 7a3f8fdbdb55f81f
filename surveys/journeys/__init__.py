"""Journeys: what happens to a customer (events), the milestones that trigger a survey,
who is eligible (audience filters, sampling, throttles, send windows) and when."""
