"""The control API's wire contract: fault and stub rules, scenarios, journal, clock, state, watch."""
