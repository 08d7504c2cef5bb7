# The workforce benchmark's two loads for wrk, shared by bench/workforce.sh and bench/cluster.sh:
# health reports (each employee account's token from FOLDER/bench-employees.txt) and gate
# check-ins (each guard's token from FOLDER/bench-guards.txt, random employee numbers).
# Usage (sourced): workforce_load FOLDER PEOPLE_PER_ENTERPRISE DONE_FUNCTION
# writes FOLDER/reports.lua and FOLDER/gate.lua, each ending in DONE_FUNCTION (wrk's `done`).
workforce_load() {
  local data=$1 people=$2 done_function=$3
  cat > "$data/reports.lua" <<LUA
local people = {}
for line in io.lines("$data/bench-employees.txt") do
  local token = line:match("^(%S+)")
  if token then people[#people + 1] = token end
end
math.randomseed(os.time())
request = function()
  local token = people[math.random(#people)]
  local body = string.format('{"temperature":%.1f,"symptoms":[],"contactWithCases":false,"city":"长春市","note":""}', 36.0 + math.random(0, 9) / 10)
  return wrk.format("POST", "/api/v1/health-reports", {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
$done_function
LUA
  cat > "$data/gate.lua" <<LUA
local guards = {}
for line in io.lines("$data/bench-guards.txt") do
  local token = line:match("^(%S+)")
  if token then guards[#guards + 1] = token end
end
math.randomseed(os.time() + 1)
request = function()
  local token = guards[math.random(#guards)]
  local body = string.format('{"employeeNumber":"E%06d","temperature":%.1f,"mask":true,"direction":"in"}', math.random(1, $people), 36.0 + math.random(0, 9) / 10)
  return wrk.format("POST", "/api/v1/gate/check-ins", {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
$done_function
LUA
}
