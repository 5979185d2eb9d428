-- wrk script: POST /api/v1/cases, every request a distinct application (its own applicant
-- name and item), and a count of the answers that are not 2xx (wrk's own counter also
-- lets 3xx through). Expects TOKEN (a clerk's bearer token) in the environment.
local token = os.getenv("TOKEN")
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  non2xx = 0
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
end

function request()
  n = n + 1
  local body = string.format(
    '{"applicant":{"type":"natural_person","name":"压测申请人%d-%d","phone":"0771-5550%d"},' ..
    '"channel":"in_person","submitted_on":"%s","received_on":"%s",' ..
    '"items":[{"description":"第%d-%d号：本机关%d年度道路养护资金使用情况"}],' ..
    '"delivery_preference":"post"}',
    tid, n, n % 100, os.getenv("TODAY"), os.getenv("TODAY"), tid, n, 2020 + n % 6)
  return wrk.format("POST", "/api/v1/cases", headers, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("non2xx")
  end
  io.write(string.format("NON2XX %d\n", bad))
end
