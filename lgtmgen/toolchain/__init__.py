"""The real checking programs (promtool, amtool, prometheus, alertmanager): install and locate."""
