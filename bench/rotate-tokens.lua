-- wrk script: every request carries the next token of the file TOKENS_FILE (one a line), in
-- turn, as a bearer token. Used alike for guarded and unguarded routes (bench/many-users.sh,
-- bench/profile.sh), so wrk's own work is the same on both.
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local headers = {}
local i = 0
request = function()
    i = i % #tokens + 1
    headers["Authorization"] = "Bearer " .. tokens[i]
    return wrk.format(nil, nil, headers)
end
