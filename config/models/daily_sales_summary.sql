-- Stage 3: the aggregate.
{{ config(materialized='table') }}

SELECT
    order_date,
    customer_segment,
    COUNT(*) AS order_count,
    CAST(SUM(total) AS DOUBLE PRECISION) AS total_revenue,
    CAST(AVG(total) AS DOUBLE PRECISION) AS avg_order_value,
    COUNT(DISTINCT customer_id) AS unique_customers
FROM {{ ref('fct_orders') }}
GROUP BY order_date, customer_segment
