"""Statistical anomaly detection written as PromQL: seasonal z-score bands, adaptive-threshold alerts, their tests."""
