-- wrk script: POST /api/v1/cases/batch with 500 distinct applications per call, and a
-- count of the answers that are not 2xx. Expects TOKEN and TODAY in the environment.
local token = os.getenv("TOKEN")
local today = os.getenv("TODAY")
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
  local cases = {}
  for i = 1, 500 do
    cases[i] = string.format(
      '{"applicant":{"type":"natural_person","name":"批量申请人%d-%d-%d"},' ..
      '"channel":"registered_mail","submitted_on":"%s","received_on":"%s",' ..
      '"items":[{"description":"第%d-%d-%d号：本机关年度政府采购合同"}]}',
      tid, n, i, today, today, tid, n, i)
  end
  local body = '{"cases":[' .. table.concat(cases, ",") .. ']}'
  return wrk.format("POST", "/api/v1/cases/batch", headers, body)
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
