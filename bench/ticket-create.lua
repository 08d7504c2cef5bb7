-- One help-desk ticket per request: the receipt (number, department, due times) is made in
-- the same request, so this measures 秒回 end to end.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"category":"supplies","urgency":"general","title":"口罩缺口（压测）","description":"benchmark: raise a request and get its receipt"}'
