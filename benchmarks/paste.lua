-- Paste an error into the home page's box: a POST with a CSRF cookie and the same token in the form.
local token = "wrkbenchmarkcsrf0123456789abcdef"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "csrftoken=" .. token
wrk.body = "csrfmiddlewaretoken=" .. token .. "&error=ExpensiError%20NS0109%3A%20Failed%20to%20login%20to%20NetSuite.%20Please%20verify%20your%20admin%20credentials."
