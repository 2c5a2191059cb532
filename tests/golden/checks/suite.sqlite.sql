SELECT count(*) AS m0, count(*) - count(fact_orders.customer_id) AS m1, count(*) FILTER (WHERE fact_orders.status IS NULL OR fact_orders.status = '' OR fact_orders.status IN ('n/a')) AS m2, count(fact_orders.order_id) AS m3, count(DISTINCT fact_orders.order_id) AS m4, count(*) FILTER (WHERE fact_orders.order_id IS NOT NULL AND fact_orders.customer_id IS NOT NULL) AS m5, (SELECT count(*) AS count_1 
FROM (SELECT DISTINCT dup.order_id AS order_id, dup.customer_id AS customer_id 
FROM fact_orders AS dup 
WHERE dup.order_id IS NOT NULL AND dup.customer_id IS NOT NULL AND (status <> 'test') = 1 AND dup.created_at >= '2024-01-09 00:00:00.000000' AND dup.created_at < '2024-01-10 00:00:00.000000') AS dup_keys) AS m6, count(*) FILTER (WHERE fact_orders.email NOT REGEXP '^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$') AS m7, count(*) FILTER (WHERE (fact_orders.status NOT IN ('new', 'paid', 'shipped'))) AS m8, count(*) FILTER (WHERE NOT (fact_orders.total >= 0.0 AND fact_orders.total <= 10000.0)) AS m9, count(*) FILTER (WHERE length(CAST(fact_orders.order_id AS VARCHAR)) > 12) AS m10, count(*) FILTER (WHERE fact_orders.customer_id IS NOT NULL AND (fact_orders.customer_id NOT IN (SELECT customers.customer_id 
FROM customers 
WHERE customers.customer_id IS NOT NULL))) AS m11, avg(fact_orders.total) AS m12, rk_stddev_samp(fact_orders.total) AS m13, rk_percentile_cont(fact_orders.total, 0.95) AS m14, count(*) FILTER (WHERE (status = 'shipped') = 1 AND (shipped_date < order_date) = 1) AS m15, count(*) FILTER (WHERE (status = 'shipped')) AS m16, (sum(total)) AS m17, max(fact_orders.created_at) AS m18, count(*) FILTER (WHERE (julianday(fact_orders.created_at) - julianday(fact_orders.order_date)) * 86400.0 > 172800.0) AS m19 
FROM fact_orders 
WHERE (status <> 'test') = 1 AND fact_orders.created_at >= '2024-01-09 00:00:00.000000' AND fact_orders.created_at < '2024-01-10 00:00:00.000000'
;

SELECT count(*) AS count_1 
FROM orders
