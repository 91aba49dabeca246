"""The desk: every decision an editor or an admin takes, made once for the CLI, the pages
and the API (``service.Desk``), which only call it and translate its errors."""
