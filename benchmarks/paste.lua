-- Paste an error into the home page's box: a POST from the wizard's own page, as a browser sends it.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Sec-Fetch-Site"] = "same-origin"
wrk.body = "error=ExpensiError%20NS0109%3A%20Failed%20to%20login%20to%20NetSuite.%20Please%20verify%20your%20admin%20credentials."
