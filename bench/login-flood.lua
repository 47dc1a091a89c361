-- wrk script: every request is POST /login with the JSON credentials of the next of USERS
-- accounts (flood0@example.com … flood{USERS-1}@example.com, password flood-password-1), in
-- turn (bench/login-flood.sh).
local users = tonumber(os.getenv("USERS") or "8")
local i = 0
request = function()
    i = i % users
    local body = string.format('{"email":"flood%d@example.com","password":"flood-password-1"}', i)
    i = i + 1
    return wrk.format("POST", "/login", {["Content-Type"] = "application/json"}, body)
end
