-- Alternates a storage write and a read of the same object, as one user
-- (session token in env TOKEN).
local n = 0
local auth = "Bearer " .. (os.getenv("TOKEN") or "")
request = function()
  n = n + 1
  local headers = { ["Authorization"] = auth, ["Content-Type"] = "application/json" }
  local key = "k" .. (n % 100)
  if n % 2 == 1 then
    local body = '{"objects":[{"collection":"bench","key":"' .. key .. '","value":"{\\"n\\":' .. n .. '}"}]}'
    return wrk.format("PUT", "/v2/storage", headers, body)
  else
    local body = '{"object_ids":[{"collection":"bench","key":"' .. key .. '","user_id":"' .. os.getenv("USER_ID") .. '"}]}'
    return wrk.format("POST", "/v2/storage", headers, body)
  end
end
