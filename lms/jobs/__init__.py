"""Work that happens by itself: reminders, escalations and digests, each a plain function of a
`JobContext` (lms/jobs/context.py) calling the same services as the web, declared once in
lms/jobs/registry.py and run exactly once per period by lms/jobs/runner.py."""
