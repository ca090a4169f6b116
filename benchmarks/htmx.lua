-- A step as htmx asks for it: only the step's partial comes back.
wrk.headers["HX-Request"] = "true"
