-- Stage 1: clean raw customers (a view); the API repeats some customers.
{{ config(materialized='view') }}

SELECT DISTINCT
    CAST(customer_id AS BIGINT) AS customer_id,
    TRIM(CONCAT(first_name, ' ', last_name)) AS customer_name,
    LOWER(TRIM(email)) AS email,
    customer_segment
FROM {{ source('warehouse', 'raw_customers') }}
