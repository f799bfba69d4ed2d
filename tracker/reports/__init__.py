"""The secretariat's dashboard, readiness, point-in-time views and the progress report."""
