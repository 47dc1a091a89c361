-- wrk script: every request carries the bound token of the file PROOFS_FILE (its first line)
-- with the DPoP scheme, and the next proof of the file (one a line after it), each once.
-- Used alike for the guarded and the unguarded route (bench/dpop-load.sh).
local token
local proofs = {}
for line in io.lines(os.getenv("PROOFS_FILE")) do
    if token == nil then token = line else proofs[#proofs + 1] = line end
end
local headers = {}
local i = 0
request = function()
    i = i % #proofs + 1
    headers["Authorization"] = "DPoP " .. token
    headers["DPoP"] = proofs[i]
    return wrk.format(nil, nil, headers)
end
