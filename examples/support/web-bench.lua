-- wrk script for examples/bench-web.sh: each wrk thread drives one
-- connection in a session of its own (run with -t N -c N).
--
-- Environment: BENCH_SESSIONS, a file of lines "<session cookie> <csrf token>";
-- BENCH_PATH, the path requested; BENCH_FORM, when set, the
-- urlencoded form to POST (CSRF is replaced by the session's token,
-- DOCNO by a number of its own for each request: a document is attached
-- to one voucher only); BENCH_THINK, milliseconds each session waits
-- between an answer and its next request (0: none, the server saturated).

local sessions = {}
for line in io.lines(os.getenv("BENCH_SESSIONS")) do
    local cookie, csrf = line:match("^(%S+)%s+(%S+)$")
    if cookie then
        sessions[#sessions + 1] = { cookie = cookie, csrf = csrf }
    end
end

local threads = {}
function setup(thread)
    local s = sessions[#threads % #sessions + 1]
    thread:set("cookie", s.cookie)
    thread:set("csrf", s.csrf)
    thread:set("id", #threads + 1)
    threads[#threads + 1] = thread
end

local get, form, headers
local sent = 0
function init(args)
    headers = { ["Cookie"] = "qianzhang_session=" .. cookie }
    form = os.getenv("BENCH_FORM")
    if form and form ~= "" then
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        form = form:gsub("CSRF", csrf)
    else
        form = nil
        get = wrk.format("GET", os.getenv("BENCH_PATH"), headers)
    end
end

function request()
    if not form then
        return get
    end
    sent = sent + 1
    local body = form:gsub("DOCNO", string.format("%d-%d-%d", os.time(), id, sent))
    return wrk.format("POST", os.getenv("BENCH_PATH"), headers, body)
end

local think = tonumber(os.getenv("BENCH_THINK") or "0")
if think > 0 then
    function delay()
        return think
    end
end

-- Counts answers other than the expected status (default 200).
local expected = tonumber(os.getenv("BENCH_STATUS") or "200")
unexpected = 0
function response(status, headers, body)
    if status ~= expected then
        unexpected = unexpected + 1
    end
end

function done(summary, latency, requests)
    local wrong = 0
    for _, t in ipairs(threads) do
        wrong = wrong + (t:get("unexpected") or 0)
    end
    io.write(string.format("RESULT %d %.1f %.1f %.1f %.1f %d %d\n",
        summary.requests,
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000,
        latency:percentile(99) / 1000,
        latency.max / 1000,
        wrong,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
