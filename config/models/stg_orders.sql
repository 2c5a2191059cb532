-- Stage 1: clean raw orders (a view).
{{ config(materialized='view') }}

SELECT
    CAST(order_id AS BIGINT) AS order_id,
    CAST(customer_id AS BIGINT) AS customer_id,
    CAST(product_id AS BIGINT) AS product_id,
    session_id,
    CAST(order_date AS DATE) AS order_date,
    CAST(total AS DECIMAL(10, 2)) AS total,
    LOWER(TRIM(status)) AS status
FROM {{ source('warehouse', 'raw_orders') }}
WHERE total > 0  -- filter out refunds and test orders
  AND customer_id IS NOT NULL
