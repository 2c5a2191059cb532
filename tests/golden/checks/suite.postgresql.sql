SELECT count(*) AS m0, count(*) - count(fact_orders.customer_id) AS m1, count(*) FILTER (WHERE fact_orders.status IS NULL OR fact_orders.status = '' OR fact_orders.status IN ('n/a')) AS m2, count(fact_orders.order_id) AS m3, count(*) FILTER (WHERE fact_orders.order_id IS NOT NULL AND fact_orders.customer_id IS NOT NULL) AS m5, count(*) FILTER (WHERE fact_orders.email !~ '^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$') AS m7, count(*) FILTER (WHERE (fact_orders.status NOT IN ('new', 'paid', 'shipped'))) AS m8, count(*) FILTER (WHERE NOT (fact_orders.total >= 0.0 AND fact_orders.total <= 10000.0)) AS m9, count(*) FILTER (WHERE length(CAST(fact_orders.order_id AS VARCHAR)) > 12) AS m10, count(*) FILTER (WHERE fact_orders.customer_id IS NOT NULL AND (fact_orders.customer_id NOT IN (SELECT customers.customer_id 
FROM customers 
WHERE customers.customer_id IS NOT NULL))) AS m11, avg(fact_orders.total) AS m12, stddev_samp(fact_orders.total) AS m13, percentile_cont(0.95) WITHIN GROUP (ORDER BY fact_orders.total) AS m14, count(*) FILTER (WHERE (status = 'shipped') AND (shipped_date < order_date)) AS m15, count(*) FILTER (WHERE (status = 'shipped')) AS m16, (sum(total)) AS m17, max(fact_orders.created_at) AS m18, count(*) FILTER (WHERE EXTRACT(epoch FROM fact_orders.created_at - CAST(fact_orders.order_date AS TIMESTAMP WITHOUT TIME ZONE)) > 172800.0) AS m19 
FROM fact_orders 
WHERE (status <> 'test') AND fact_orders.created_at >= '2024-01-09 00:00:00' AND fact_orders.created_at < '2024-01-10 00:00:00'
;

SELECT count(DISTINCT fact_orders.order_id) AS m4, count(DISTINCT CASE WHEN (fact_orders.order_id IS NOT NULL AND fact_orders.customer_id IS NOT NULL) THEN (fact_orders.order_id, fact_orders.customer_id) END) AS m6 
FROM fact_orders 
WHERE (status <> 'test') AND fact_orders.created_at >= '2024-01-09 00:00:00' AND fact_orders.created_at < '2024-01-10 00:00:00'
;

SELECT count(*) AS count_1 
FROM orders
