-- wrk script: POST /api/v1/auth/login with a wrong password, over and over (a login flood).
-- EMAIL is the account attacked; each request tries another password.
local email = os.getenv("EMAIL") or "victim@bench.local"
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"email":"%s","password":"guess number %d"}', email, n)
  return wrk.format("POST", "/api/v1/auth/login", {["Content-Type"] = "application/json"}, body)
end
