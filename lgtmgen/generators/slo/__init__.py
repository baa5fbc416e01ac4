"""SLO rules: recorded event counts, derived window ratios, burn-rate and budget alerts."""
