-- wrk script: POST /api/v1/auth/login with a wrong password, over and over (a login flood).
-- EMAIL is the account attacked; each request tries another password.
-- FORWARDED_FOR, when set, is sent as X-Forwarded-For: the flood's client address as a trusted
-- proxy in front of the server reports it.
local email = os.getenv("EMAIL") or "victim@bench.local"
local forwarded_for = os.getenv("FORWARDED_FOR")
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"email":"%s","password":"guess number %d"}', email, n)
  local headers = {["Content-Type"] = "application/json"}
  if forwarded_for then headers["X-Forwarded-For"] = forwarded_for end
  return wrk.format("POST", "/api/v1/auth/login", headers, body)
end
